import ArgumentParser
import MeteringCore
import OdometerService

struct CloseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "close",
        abstract: "Close a period: write its invoice lines and outbox entries. Re-running it changes nothing.")

    @OptionGroup var options: ConfigOptions
    @Option(help: "The period, YYYY-MM.") var period: String
    @Option(help: "Only this account.") var account: String?
    @Flag(help: "Show what would be written, write nothing.") var dryRun = false
    @Flag(help: "Close even though some partition has not metered everything appended before period end plus the grace period.")
    var force = false
    @Flag(help: "Machine-readable output.") var json = false

    func validate() throws {
        do { _ = try OperatorInput.period(period, parameter: "--period") } catch { throw ValidationError(error.description) }
    }

    func run() async throws {
        try await CommandFailure.reporting {
            let runtime = try options.runtime()
            let billingPeriod = BillingPeriod(period)!
            let summary = try await runtime.withPostgres { postgres in
                try await runtime.close(postgres: postgres, period: billingPeriod, account: account, dryRun: dryRun,
                                        force: force)
            }
            print(json ? summary.json : summary.text)
        }
    }
}
