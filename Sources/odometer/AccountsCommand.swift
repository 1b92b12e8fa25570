import ArgumentParser
import Foundation
import OdometerConfig
import OdometerService
import PostgresStore

struct AccountsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accounts", abstract: "Manage accounts beside those in the configuration file.",
        subcommands: [Import.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Load accounts from CSV (id, plan, timezone, odooPartnerRef, stripeCustomer, lagoSubscription). "
                + "Any bad row: nothing changes.")

        @OptionGroup var options: ConfigOptions
        @Argument(help: "The CSV file.") var file: String

        func run() async throws {
            try await CommandFailure.reporting {
                let runtime = try options.runtime()
                guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
                    throw OdometerFailure.user("cannot read \(file) as UTF-8 text: check the path")
                }
                let accounts: [AccountRecord]
                switch AccountsCSV.parse(text, knownPlans: Set(runtime.configuration.plans.map(\.key))) {
                case .failure(let error): throw OdometerFailure.user(error.description)
                case .success(let parsed):
                    let inFile = Set(runtime.configuration.accounts.map(\.id))
                    if let clash = parsed.first(where: { inFile.contains($0.id) }) {
                        throw OdometerFailure.user(
                            "nothing imported: account \"\(clash.id)\" is defined in the configuration file; change it there")
                    }
                    accounts = parsed.map {
                        AccountRecord(id: $0.id, plan: $0.plan, timeZone: $0.timeZone, odooPartnerRef: $0.odooPartnerRef,
                                      stripeCustomer: $0.stripeCustomer, lagoSubscription: $0.lagoSubscription)
                    }
                }
                let inserted = try await runtime.withPostgres { postgres in
                    try await AccountStore(client: postgres, logger: runtime.logger).importAccounts(accounts)
                }
                print("imported \(accounts.count) accounts (\(inserted) new, \(accounts.count - inserted) updated); "
                      + "a running `serve` picks them up at its next start")
            }
        }
    }
}
