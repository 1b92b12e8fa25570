/// The stored total of one (account, meter, period, dimensions) row, as read back from the
/// store: every aggregation's running figures. Value type; Sendable.
public struct UsageTotal: Hashable, Sendable {
    public var account: String
    public var meter: String
    /// "YYYY-MM" in the account's time zone.
    public var period: String
    /// Canonical dimensions JSON (`{"model":"gpt-x"}`).
    public var dimensions: String
    public var events: Int64
    public var sum: ExactDecimal
    public var min: ExactDecimal?
    public var max: ExactDecimal?
    public var latest: ExactDecimal?
    public var uniqueCount: Int64

    public init(
        account: String, meter: String, period: String, dimensions: String, events: Int64,
        sum: ExactDecimal = .zero, min: ExactDecimal? = nil, max: ExactDecimal? = nil,
        latest: ExactDecimal? = nil, uniqueCount: Int64 = 0
    ) {
        self.account = account
        self.meter = meter
        self.period = period
        self.dimensions = dimensions
        self.events = events
        self.sum = sum
        self.min = min
        self.max = max
        self.latest = latest
        self.uniqueCount = uniqueCount
    }

    /// The row's quantity under `aggregation` (DESIGN §3); AVG rounds half-even to 12 digits.
    /// Throws when the total is beyond the contract's quantity range.
    public func quantity(_ aggregation: Aggregation) throws(UsageError) -> ExactDecimal {
        let value: ExactDecimal
        switch aggregation {
        case .sum: value = sum
        case .count: value = ExactDecimal(events)
        case .min: value = min ?? .zero
        case .max: value = max ?? .zero
        case .avg: value = events > 0 ? sum.dividedRoundingHalfEven(by: events) : .zero
        case .uniqueCount: value = ExactDecimal(uniqueCount)
        case .latest: value = latest ?? .zero
        }
        guard value.isInContractRange else {
            throw .quantityOutOfRange(account: account, meter: meter, period: period, total: value.description)
        }
        return value
    }
}

/// A stored total cannot be reported or billed as it is.
public enum UsageError: Error, Hashable, Sendable, CustomStringConvertible {
    case quantityOutOfRange(account: String, meter: String, period: String, total: String)
    case unknownMeter(String)

    public var description: String {
        switch self {
        case .quantityOutOfRange(let account, let meter, let period, let total):
            "total \(total) of \(account)/\(meter)/\(period) is beyond the quantity range (18 integer digits): "
                + "split the meter or change its unit"
        case .unknownMeter(let slug):
            "stored totals name meter \"\(slug)\", which the configuration no longer has: restore the meter"
        }
    }
}
