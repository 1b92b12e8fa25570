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
        if let period {
            do { _ = try OperatorInput.period(period, parameter: "--period") } catch { throw ValidationError(error.description) }
        }
    }

    func run() async throws {
        try await CommandFailure.reporting {
            let runtime = try options.runtime()
            let rows = try await runtime.withPostgres { postgres in
                try await runtime.usage(postgres: postgres, account: account, period: period.flatMap(BillingPeriod.init))
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
