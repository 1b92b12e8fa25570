/// Prices stored totals under the configured meters, plans and accounts (DESIGN §3):
/// the figures `usage` prints and `close` bills. Pure; immutable; Sendable.
public struct UsagePricer: Sendable {
    public let meters: [String: Meter]
    public let plans: [String: Plan]
    public let accounts: [String: Account]

    public init(meters: [Meter], plans: [Plan], accounts: [Account]) {
        self.meters = Dictionary(meters.map { ($0.slug, $0) }, uniquingKeysWith: { first, _ in first })
        self.plans = Dictionary(plans.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        self.accounts = Dictionary(accounts.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The quantity and amount of one row.
    /// - Unknown account, or an account whose plan is unknown: amount and currency nil, unbilled.
    /// - A meter the plan does not charge: amount zero in the plan's currency, not unbilled, no charge.
    public func price(_ total: UsageTotal) throws -> RatedUsage {
        guard let meter = meters[total.meter] else { throw UsageError.unknownMeter(total.meter) }
        let quantity = try total.quantity(meter.aggregation)
        guard let account = accounts[total.account], let plan = plans[account.plan] else {
            return RatedUsage(total: total, quantity: quantity, amount: nil, charge: nil)
        }
        guard let charge = plan.charge(for: total.meter) else {
            return RatedUsage(total: total, quantity: quantity, amount: .zero(in: plan.currency), charge: nil)
        }
        let amount = try charge.rate(quantity: quantity, in: plan.currency)
        return RatedUsage(total: total, quantity: quantity, amount: amount, charge: charge)
    }
}

/// One priced row: what `usage --json` prints and what a close turns into an invoice line.
public struct RatedUsage: Hashable, Sendable {
    public let total: UsageTotal
    public let quantity: ExactDecimal
    /// Rounded to the currency's minor unit; nil when unbilled.
    public let amount: RatedAmount?
    /// The charge that priced it; nil when unbilled or when the plan does not charge the meter.
    public let charge: Charge?

    public var unbilled: Bool { amount == nil }
    public var currency: Currency? { amount?.currency }
    /// Whether a close bills this row with an invoice line.
    public var isBillable: Bool { charge != nil }
}
