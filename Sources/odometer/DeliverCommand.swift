import ArgumentParser
import Foundation
import OdometerService

struct DeliverCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deliver",
        abstract: "Run the outbox relays: with --once, until every entry is delivered or failed, then exit.")

    @OptionGroup var options: ConfigOptions
    @Flag(help: "Exit once no entry is pending (only delivered or failed ones remain).") var once = false
    @Option(help: "Only this destination (stripe, lago, odoo).") var destination: String?
    @Flag(help: "One JSON object per destination.") var json = false

    func run() async throws {
        try await CommandFailure.reporting {
            let runtime = try options.runtime()
            let configured = runtime.deliveryDestinations()
            let chosen = configured.filter { destination == nil || $0.name == destination }
            guard !chosen.isEmpty else {
                let names = configured.map(\.name).joined(separator: ", ")
                throw OdometerFailure.user(destination.map { "no destination \"\($0)\" is configured (configured: \(names.isEmpty ? "none" : names))" }
                                           ?? "no billing destination is configured: add billing.destinations")
            }
            let reports = try await runtime.withPostgres { postgres in
                let accounts = Dictionary(try await runtime.accounts(postgres: postgres).map { ($0.id, $0) },
                                          uniquingKeysWith: { first, _ in first })
                return try await withThrowingTaskGroup(of: (String, RelayReport).self) { group in
                    for destination in chosen {
                        let relay = OutboxRelay(destination: destination, postgres: postgres, accounts: accounts,
                                                logger: runtime.logger)
                        group.addTask {
                            if once { return (destination.name, try await relay.deliverUntilSettled()) }
                            try await relay.run()
                            return (destination.name, RelayReport())
                        }
                    }
                    var reports: [(String, RelayReport)] = []
                    for try await report in group { reports.append(report) }
                    return reports.sorted { $0.0 < $1.0 }
                }
            }
            for (name, report) in reports {
                print(json
                      ? "{\"destination\":\"\(name)\",\"delivered\":\(report.delivered),\"failed\":\(report.failed),\"retried\":\(report.retrying)}"
                      : "\(name): \(report.delivered) delivered, \(report.failed) failed, \(report.retrying) retried on the way")
            }
        }
    }
}
