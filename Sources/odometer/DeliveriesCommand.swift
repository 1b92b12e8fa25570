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
        static let configuration = CommandConfiguration(abstract: "Put failed deliveries back to pending, after a fix.")

        @OptionGroup var options: ConfigOptions
        @Option(help: "The destination (stripe, lago, odoo).") var destination: String
        @Option(help: "Only this document (invoice or line key).") var document: String?

        func run() async throws {
            try await CommandFailure.reporting {
                let runtime = try options.runtime()
                let count = try await runtime.withPostgres { postgres in
                    try await OutboxStore(client: postgres, logger: runtime.logger)
                        .retryFailed(destination: destination, documentKey: document)
                }
                print("\(count) failed deliveries to \(destination) are pending again")
            }
        }
    }
}
