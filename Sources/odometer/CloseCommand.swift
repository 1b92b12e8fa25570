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
    @Flag(help: "Close even though the event-time watermark is behind period end plus the grace period.") var force = false
    @Flag(help: "Machine-readable output.") var json = false

    func validate() throws {
        guard BillingPeriod(period) != nil else { throw ValidationError("--period must be YYYY-MM, e.g. 2026-11") }
    }

    func run() async throws {
        try await CommandFailure.reporting {
            let runtime = try options.runtime()
            let billingPeriod = BillingPeriod(period)!
            let summary = try await runtime.withPostgres { postgres in
                let closer = PeriodCloser(
                    postgres: postgres, pricer: runtime.pricer(accounts: try await runtime.accounts(postgres: postgres)),
                    destinations: runtime.destinationGranularities,
                    watermark: .init(group: runtime.configuration.kafka.group, topic: runtime.configuration.kafka.topic,
                                     gracePeriod: runtime.configuration.billing.gracePeriod),
                    lineLimits: runtime.destinationLineLimits, logger: runtime.logger)
                if dryRun {
                    let plan = try await closer.plan(period: billingPeriod, account: account)
                    if !force { try await closer.checkReadiness(period: billingPeriod, plan: plan) }
                    return CloseSummary(plan: plan, outcome: nil)
                }
                let (plan, outcome) = try await closer.close(period: billingPeriod, account: account, force: force)
                return CloseSummary(plan: plan, outcome: outcome)
            }
            print(json ? summary.json : summary.text)
        }
    }
}
