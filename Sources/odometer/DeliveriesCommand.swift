import ArgumentParser
import OdometerService
import PostgresStore

struct DeliveriesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deliveries", abstract: "Outbox state per destination; `deliveries retry` re-sends failed ones.",
        subcommands: [List.self, Retry.self], defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List outbox entries.")

        @OptionGroup var options: ConfigOptions
        @Option(help: "pending, failed or delivered.") var status: String?
        @Flag(help: "One JSON object per line.") var json = false

        func validate() throws {
            if let status, OutboxStatus(rawValue: status) == nil {
                throw ValidationError("--status must be pending, failed or delivered")
            }
        }

        func run() async throws {
            try await CommandFailure.reporting {
                let runtime = try options.runtime()
                let entries = try await runtime.withPostgres { postgres in
                    try await OutboxStore(client: postgres, logger: runtime.logger)
                        .deliveries(status: status.flatMap(OutboxStatus.init(rawValue:)))
                }
                print(DeliveryListing(entries: entries).render(json: json))
            }
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Put failed deliveries back to pending, after a fix: one by --id, or a destination's.")

        @OptionGroup var options: ConfigOptions
        @Option(help: "The entry's ID, as `deliveries` shows it.") var id: Int64?
        @Option(help: "Every failed entry of this destination (stripe, lago, odoo).") var destination: String?
        @Option(help: "With --destination: only this document (invoice or line key).") var document: String?

        func validate() throws {
            guard (id == nil) != (destination == nil) else {
                throw ValidationError("give either --id ID or --destination D (with --document K for one document)")
            }
            if id != nil && document != nil { throw ValidationError("--document goes with --destination, not --id") }
        }

        func run() async throws {
            try await CommandFailure.reporting {
                let runtime = try options.runtime()
                let message = try await runtime.withPostgres { postgres in
                    let store = OutboxStore(client: postgres, logger: runtime.logger)
                    if let id {
                        guard let entry = try await store.retryFailed(id: id) else {
                            throw OdometerFailure.user("no failed delivery has id \(id): `odometer deliveries --status failed` lists them")
                        }
                        return "delivery \(id) (\(entry.destination) \(entry.documentKey)) is pending again"
                    }
                    let destination = destination ?? ""
                    let count = try await store.retryFailed(destination: destination, documentKey: document)
                    return "\(count) failed deliveries to \(destination) are pending again"
                }
                print(message)
            }
        }
    }
}
