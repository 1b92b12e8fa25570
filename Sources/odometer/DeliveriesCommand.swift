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
        static let configuration = CommandConfiguration(abstract: "Put failed deliveries back to pending, after a fix.")

        @OptionGroup var options: ConfigOptions
        @Option(help: "The destination (stripe, lago, odoo).") var destination: String
        @Option(help: "Only this document (invoice or line key).") var document: String?

        func run() async throws {
            try await CommandFailure.reporting {
                let runtime = try options.runtime()
                let count = try await runtime.withPostgres { postgres in
                    try await runtime.retryDeliveries(postgres: postgres, destination: destination, document: document)
                }
                print("\(count) failed deliveries to \(destination) are pending again")
            }
        }
    }
}
