import ArgumentParser
import Foundation
import OdometerService

/// The `odometer` command line (DESIGN §4). Exit codes: 0 success, 1 user error (the message
/// says what to fix), 2 environment error (Kafka or Postgres unreachable).
@main
struct Odometer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "odometer",
        abstract: "A high-throughput usage-metering pipeline: Kafka → exact totals in Postgres → invoices.",
        subcommands: [DemoCommand.self, ServeCommand.self, MigrateCommand.self, ProduceCommand.self, UsageCommand.self,
                      CloseCommand.self, DeliverCommand.self, DeliveriesCommand.self, DeadLetterCommand.self, OffsetsCommand.self,
                      AccountsCommand.self, BenchCommand.self, MockKafkaCommand.self])

    /// Parses and runs, mapping argument errors to exit code 1 (ArgumentParser's default is 64).
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            // One line that says what to fix; `--help` has the rest.
            var message = message(for: error)
            if message.hasPrefix("Error: ") { message.removeFirst("Error: ".count) }
            if !message.isEmpty {
                StandardError.write("odometer: \(message)\n")
            }
            Foundation.exit(code == .validationFailure ? 1 : code.rawValue)
        }
    }
}
