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
            if let status {
                do { _ = try OperatorInput.outboxStatus(status, parameter: "--status") } catch {
                    throw ValidationError(error.description)
                }
            }
        }

        func run() async throws {
            try await CommandFailure.reporting {
                let runtime = try options.runtime()
                let listing = try await runtime.withPostgres { postgres in
                    try await runtime.deliveries(postgres: postgres, status: status.flatMap(OutboxStatus.init(rawValue:)))
                }
                print(listing.render(json: json))
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
                    if let id { return try await runtime.retryDelivery(postgres: postgres, id: id) }
                    let destination = destination ?? ""
                    let count = try await runtime.retryDeliveries(postgres: postgres, destination: destination, document: document)
                    return "\(count) failed deliveries to \(destination) are pending again"
                }
                print(message)
            }
        }
    }
}
