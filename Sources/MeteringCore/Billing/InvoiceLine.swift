/// One invoice-ready line: a billable row of a closed period, rated and rounded, or an
/// adjustment of such a row billed in a later close (DESIGN §6).
///
/// Its `lineKey` is deterministic (a hash of account, meter, period, dimensions and version),
/// so a re-run close produces the same key and destinations can use it for idempotency.
/// Delivered lines are never mutated; a correction is a new line with a higher version.
public struct InvoiceLine: Hashable, Sendable {
    public let lineKey: String
    public let account: String
    public let meter: String
    /// The period the usage belongs to.
    public let period: String
    public let dimensions: String
    public let version: Int
    /// The metered quantity, or for an adjustment the difference from what was billed.
    public let quantity: ExactDecimal
    /// The rated amount, or for an adjustment price(new total) − price(billed total).
    public let amount: RatedAmount
    /// The close that bills it: `period` itself, or a later one for an adjustment.
    public let billedPeriod: String
    /// "api_tokens 2026-11 (model=gpt-x): 1250000 units, graduated", or for an adjustment
    /// "adjustment for 2026-10: api_tokens 2026-10 (model=gpt-x): +250000 units (now 1250000), graduated".
    public let description: String

    /// True when a later close bills it (a late row or a changed one), not its own period's close.
    public var isAdjustment: Bool { billedPeriod != period }

    /// The line of a row billed in its own period's close.
    public init(usage: RatedUsage, amount: RatedAmount, charge: Charge, version: Int = 1) {
        let total = usage.total
        self.init(total: total, version: version, quantity: usage.quantity, amount: amount, billedPeriod: total.period,
                  description: "\(Self.label(total)): \(usage.quantity) units, \(charge.pricingDescription)")
    }

    /// An adjustment billed in the close of `billedPeriod`, after `previous` (nil: the row was
    /// never billed) was billed for the row: the differences in quantity and in amount.
    public init(adjustmentOf usage: RatedUsage, amount newAmount: RatedAmount, charge: Charge,
                previous: BilledRow?, billedPeriod: String) throws(CloseError) {
        let total = usage.total
        let quantity = usage.quantity.subtractingReportingOverflow(previous?.quantity ?? .zero)
        let amount = newAmount.value.subtractingReportingOverflow(previous?.amount ?? .zero)
        guard !quantity.overflow, !amount.overflow,
              let difference = RatedAmount(exactly: amount.partialValue, currency: newAmount.currency) else {
            throw .differenceOutOfRange(account: total.account, meter: total.meter, period: total.period)
        }
        let sign = quantity.partialValue.isNegative ? "" : "+"
        self.init(total: total, version: (previous?.latestVersion ?? 0) + 1, quantity: quantity.partialValue,
                  amount: difference, billedPeriod: billedPeriod,
                  description: "adjustment for \(total.period): \(Self.label(total)): \(sign)\(quantity.partialValue) units "
                    + "(now \(usage.quantity)), \(charge.pricingDescription)")
    }

    private init(total: UsageTotal, version: Int, quantity: ExactDecimal, amount: RatedAmount, billedPeriod: String,
                 description: String) {
        lineKey = Self.key(account: total.account, meter: total.meter, period: total.period,
                           dimensions: total.dimensions, version: version)
        account = total.account
        meter = total.meter
        period = total.period
        dimensions = total.dimensions
        self.version = version
        self.quantity = quantity
        self.amount = amount
        self.billedPeriod = billedPeriod
        self.description = description
    }

    /// "api_tokens 2026-11 (model=gpt-x)".
    private static func label(_ total: UsageTotal) -> String {
        let pairs = CanonicalDimensions.pairs(total.dimensions)
        let labels = pairs.isEmpty ? "" : " (" + pairs.map { "\($0.name)=\($0.value)" }.joined(separator: ", ") + ")"
        return "\(total.meter) \(total.period)\(labels)"
    }

    /// The (name, value) pairs of a canonical dimensions text, in order.
    public static func dimensionPairs(_ dimensions: String) -> [(name: String, value: String)] {
        CanonicalDimensions.pairs(dimensions)
    }

    /// SHA-256 over the length-prefixed fields, in hex: stable across runs and machines.
    public static func key(account: String, meter: String, period: String, dimensions: String, version: Int) -> String {
        var bytes: [UInt8] = Array("odometer-line-v1".utf8)
        for field in [account, meter, period, dimensions, String(version)] {
            let utf8 = Array(field.utf8)
            bytes.append(contentsOf: String(utf8.count).utf8)
            bytes.append(UInt8(ascii: ":"))
            bytes.append(contentsOf: utf8)
        }
        return StableHash.hex(StableHash.sha256(bytes))
    }
}
