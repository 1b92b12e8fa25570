/// What closing one period does, decided purely from the stored totals and the configuration:
/// which accounts close, and the invoice lines of each (DESIGN §4 `close`, §7).
///
/// - Only configured accounts with a known plan close; unknown accounts stay unbilled.
/// - An account already closed for the period is left alone, so re-running a close changes
///   nothing (its lines and their keys were fixed when it closed).
/// - A row becomes a line only when the plan charges its meter (zero amounts included:
///   the customer sees the usage); every line of an account shares the plan's currency.
public struct PeriodClosePlan: Sendable, Hashable {
    /// One account's invoice for the period.
    public struct AccountInvoice: Sendable, Hashable {
        public let account: String
        public let period: String
        public let currency: Currency
        public let lines: [InvoiceLine]
        /// The idempotency anchor of the whole invoice (Odoo `ref`/`invoice_origin`).
        public var documentKey: String { "usage:\(account):\(period)" }
        /// Sum of the line amounts (exact; every line is already rounded).
        public var total: ExactDecimal {
            lines.reduce(.zero) { ExactDecimal(raw: $0.raw + $1.amount.value.raw) }
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
                accounts requested: [String]?, alreadyClosed closed: Set<String>) throws {
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
        self.period = period
        closingAccounts = closing.sorted()
        alreadyClosed = inScope.intersection(closed).sorted()
        unbilledRows = unbilled
        invoices = linesByAccount.keys.sorted().map { account in
            let plan = pricer.plans[pricer.accounts[account]!.plan]!
            let lines = linesByAccount[account]!.sorted { ($0.meter, $0.dimensions) < ($1.meter, $1.dimensions) }
            return AccountInvoice(account: account, period: text, currency: plan.currency, lines: lines)
        }
    }
}
