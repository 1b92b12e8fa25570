import ArgumentParser

/// The `odometer` command line (DESIGN §4). Exit codes: 0 success, 1 user error (the message
/// says what to fix), 2 environment error (Kafka or Postgres unreachable).
@main
struct Odometer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "odometer",
        abstract: "A high-throughput usage-metering pipeline: Kafka → exact totals in Postgres → invoices.",
        subcommands: [DemoCommand.self])
}
