/// What closing one period does, decided purely from the stored totals, the lines billed
/// before and the configuration: which accounts close, and the invoice lines of each
/// (DESIGN §4 `close`, §6, §7).
///
/// - Only configured accounts with a known plan close; unknown accounts stay unbilled.
/// - An account already closed for the period is left alone, so re-running a close changes
///   nothing (its lines and their keys were fixed when it closed).
/// - A row becomes a line only when the plan charges its meter (zero amounts included:
///   the customer sees the usage); every line of an account shares the plan's currency.
/// - Adjustments (§6): for each account closing now and each earlier period it closed, every
///   row whose rated amount changed since it was billed gets a line of the next version,
///   whose quantity and amount are the differences: price(new total) − price(billed total),
///   never price(delta). A row that appeared only after its period closed gets version 1.
///   Lines once written are never changed.
public struct PeriodClosePlan: Sendable, Hashable {
    /// One account's invoice for the period.
    public struct AccountInvoice: Sendable, Hashable {
        public let account: String
        public let period: String
        public let currency: Currency
        /// The period's own lines (by meter and dimensions), then its adjustments (by period).
        public let lines: [InvoiceLine]
        /// The idempotency anchor of the whole invoice (Odoo `ref`/`invoice_origin`).
        public var documentKey: String { "usage:\(account):\(period)" }
        /// Sum of the line amounts (exact; every line is already rounded).
        public var total: ExactDecimal {
            lines.reduce(.zero) { ExactDecimal(raw: $0.raw + $1.amount.value.raw) }
        }
        public var adjustments: [InvoiceLine] { lines.filter(\.isAdjustment) }
    }

    /// What an earlier close billed, for the adjustments of this one.
    public struct EarlierCloses: Sendable {
        /// Account → the periods before this one it has closed.
        public var periods: [String: Set<String>]
        /// The current totals of those periods (other rows are ignored).
        public var totals: [UsageTotal]
        /// What their lines bill so far, per row.
        public var billed: [BilledRow]

        public init(periods: [String: Set<String>] = [:], totals: [UsageTotal] = [], billed: [BilledRow] = []) {
            self.periods = periods
            self.totals = totals
            self.billed = billed
        }
    }

    public let period: BillingPeriod
    /// Accounts this close closes now (with or without lines), sorted.
    public let closingAccounts: [String]
    public let invoices: [AccountInvoice]
    /// Accounts in scope that were closed before; untouched.
    public let alreadyClosed: [String]
    /// Rows of unknown accounts (or accounts without a plan) left unbilled.
    public let unbilledRows: Int

    /// Plans the close of `period` for `accounts` (nil: every configured account).
    public init(period: BillingPeriod, totals: [UsageTotal], pricer: UsagePricer,
                accounts requested: [String]?, alreadyClosed closed: Set<String>,
                earlier: EarlierCloses = EarlierCloses()) throws {
        let text = period.description
        let inScope = Set(requested ?? Array(pricer.accounts.keys))
        let closing = inScope.filter { pricer.accounts[$0] != nil && !closed.contains($0) }
        var linesByAccount: [String: [InvoiceLine]] = [:]
        var unbilled = 0
        for total in totals where total.period == text {
            guard inScope.contains(total.account) || requested == nil else { continue }
            let usage = try pricer.price(total)
            if usage.unbilled { unbilled += 1; continue }
            guard closing.contains(total.account), let charge = usage.charge, let amount = usage.amount else { continue }
            linesByAccount[total.account, default: []].append(InvoiceLine(usage: usage, amount: amount, charge: charge))
        }
        let adjustments = try Self.adjustments(billedIn: period, closing: closing, earlier: earlier, pricer: pricer)
        for line in adjustments { linesByAccount[line.account, default: []].append(line) }
        self.period = period
        closingAccounts = closing.sorted()
        alreadyClosed = inScope.intersection(closed).sorted()
        unbilledRows = unbilled
        invoices = linesByAccount.keys.sorted().map { account in
            let plan = pricer.plans[pricer.accounts[account]!.plan]!
            let lines = linesByAccount[account]!.sorted {
                ($0.isAdjustment ? 1 : 0, $0.period, $0.meter, $0.dimensions) < ($1.isAdjustment ? 1 : 0, $1.period, $1.meter, $1.dimensions)
            }
            return AccountInvoice(account: account, period: text, currency: plan.currency, lines: lines)
        }
    }

    /// The adjustment lines of the closing accounts' earlier closed periods.
    private static func adjustments(billedIn period: BillingPeriod, closing: Set<String>, earlier: EarlierCloses,
                                    pricer: UsagePricer) throws -> [InvoiceLine] {
        var billed: [[String]: BilledRow] = [:]
        for row in earlier.billed {
            billed[rowKey(row.account, row.meter, row.period, row.dimensions)] = row
        }
        var lines: [InvoiceLine] = []
        for total in earlier.totals where closing.contains(total.account) {
            guard let closedPeriod = BillingPeriod(total.period), closedPeriod < period,
                  earlier.periods[total.account]?.contains(total.period) == true else { continue }
            let usage = try pricer.price(total)
            guard let charge = usage.charge, let amount = usage.amount else { continue }
            let previous = billed[rowKey(total.account, total.meter, total.period, total.dimensions)]
            if let previous {
                guard previous.currency == amount.currency else {
                    throw CloseError.currencyChanged(account: total.account, meter: total.meter, period: total.period,
                                                     billed: previous.currency, now: amount.currency)
                }
                guard previous.amount != amount.value else { continue }
            }
            lines.append(try InvoiceLine(adjustmentOf: usage, amount: amount, charge: charge, previous: previous,
                                         billedPeriod: period.description))
        }
        return lines
    }

    private static func rowKey(_ account: String, _ meter: String, _ period: String, _ dimensions: String) -> [String] {
        [account, meter, period, dimensions]
    }
}
