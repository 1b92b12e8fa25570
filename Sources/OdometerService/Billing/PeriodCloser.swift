public import Logging
public import MeteringCore
public import PostgresNIO
public import PostgresStore

/// Runs `odometer close`: plans the close from the stored totals and records its invoice lines
/// and outbox entries in one transaction. Re-running it changes nothing.
public struct PeriodCloser: Sendable {
    let postgres: PostgresClient
    let pricer: UsagePricer
    let destinations: [String: DeliveryDestination.Granularity]
    let logger: Logger

    public init(postgres: PostgresClient, pricer: UsagePricer,
                destinations: [String: DeliveryDestination.Granularity], logger: Logger) {
        self.postgres = postgres
        self.pricer = pricer
        self.destinations = destinations
        self.logger = logger
    }

    /// The plan for `period`, without writing anything.
    public func plan(period: BillingPeriod, account: String?) async throws -> PeriodClosePlan {
        if let account, pricer.accounts[account] == nil {
            throw OdometerFailure.user("account \"\(account)\" is not configured: add it to `accounts` (or import it) first")
        }
        let records = try await UsageQueries(client: postgres, logger: logger)
            .totals(account: account, period: period.description)
        let totals = try records.map { try UsageTotal(record: $0) }
        let closed = try await CloseStore(client: postgres, logger: logger).closedAccounts(period: period.description)
        return try PeriodClosePlan(period: period, totals: totals, pricer: pricer,
                                   accounts: account.map { [$0] }, alreadyClosed: closed)
    }

    /// Closes `period`; returns the plan and what was newly written.
    public func close(period: BillingPeriod, account: String?, force: Bool) async throws -> (PeriodClosePlan, CloseOutcome) {
        let plan = try await plan(period: period, account: account)
        let outcome = try await CloseStore(client: postgres, logger: logger).record(record(of: plan, forced: force))
        logger.info("closed period", metadata: ["period": "\(period)", "accounts": "\(plan.closingAccounts.count)",
                                                "lines": "\(outcome.linesInserted)"])
        return (plan, outcome)
    }

    func record(of plan: PeriodClosePlan, forced: Bool) -> PeriodCloseRecord {
        var lines: [InvoiceLineRecord] = []
        var outbox: [OutboxDocument] = []
        for invoice in plan.invoices {
            for line in invoice.lines {
                lines.append(InvoiceLineRecord(
                    lineKey: line.lineKey, account: line.account, meter: line.meter, period: line.period,
                    dimensions: line.dimensions, version: Int32(line.version), quantity: line.quantity.description,
                    amount: line.amount.text, currency: invoice.currency.code, description: line.description))
            }
            for (name, granularity) in destinations.sorted(by: { $0.key < $1.key }) {
                switch granularity {
                case .invoice:
                    outbox.append(OutboxDocument(destination: name, documentKey: invoice.documentKey,
                                                 account: invoice.account, period: invoice.period,
                                                 lineKeys: invoice.lines.map(\.lineKey)))
                case .line:
                    for line in invoice.lines {
                        outbox.append(OutboxDocument(destination: name, documentKey: line.lineKey,
                                                     account: invoice.account, period: invoice.period,
                                                     lineKeys: [line.lineKey]))
                    }
                }
            }
        }
        return PeriodCloseRecord(period: plan.period.description, accounts: plan.closingAccounts, forced: forced,
                                 lines: lines, outbox: outbox)
    }
}
