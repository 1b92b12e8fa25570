import ArgumentParser
import Logging
import OdometerDemo
import OdometerService

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the whole flow on embedded parts: Kafka mock cluster, throwaway Postgres, Odoo fake.")

    @Option(help: "Events to produce.") var events = 1_000_000
    @Option(help: "Accounts the events are spread over (Zipf).") var accounts = 10_000
    @Option(help: "Partitions of the demo topic.") var partitions: Int32 = 64
    @Option(help: "Aggregation shards (threads).") var shards = 2

    func run() async throws {
        var options = DemoRun.Options()
        options.events = events
        options.accounts = accounts
        options.partitions = partitions
        options.shards = shards
        try await CommandFailure.reporting {
            let summary = try await DemoRun(options: options, logger: CommandLogging.logger()).run()
            print(summary.render())
        }
    }
}
