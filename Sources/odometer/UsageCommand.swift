import ArgumentParser
import MeteringCore
import OdometerService

struct UsageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "usage", abstract: "Rated totals per account, meter, period and dimensions.")

    @OptionGroup var options: ConfigOptions
    @Option(help: "Only this account.") var account: String?
    @Option(help: "Only this period, YYYY-MM.") var period: String?
    @Flag(help: "One JSON object per line.") var json = false

    func validate() throws {
        if let period, BillingPeriod(period) == nil { throw ValidationError("--period must be YYYY-MM, e.g. 2026-11") }
    }

    func run() async throws {
        try await CommandFailure.reporting {
            let runtime = try options.runtime()
            let rows = try await runtime.withPostgres { postgres in
                let pricer = runtime.pricer(accounts: try await runtime.accounts(postgres: postgres))
                return try await UsageReport.rows(postgres: postgres, pricer: pricer, account: account,
                                                  period: period, logger: runtime.logger)
            }
            if json {
                for row in rows { print(UsageReport.json(row)) }
                return
            }
            if rows.isEmpty { print("no usage"); return }
            print(UsageReport.table(rows))
        }
    }
}
