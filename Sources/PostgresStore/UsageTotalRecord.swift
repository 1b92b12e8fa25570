/// One row of `usage_totals` as stored, numerics as exact decimal text exactly as Postgres prints them
/// (the scale is the largest of the values that were added, e.g. "0.000000000003"). Value type.
public struct UsageTotalRecord: Sendable, Hashable {
    public var account: String
    public var meter: String
    /// "YYYY-MM" in the account's time zone.
    public var period: String
    /// Canonical JSON object text, keys sorted.
    public var dimensions: String
    public var events: Int64
    public var sum: String
    public var min: String?
    public var max: String?
    /// The LATEST value and the position of its event; both nil when the meter records none.
    public var latest: LatestSample?
    /// Number of distinct UNIQUE_COUNT members recorded for this key (0 when the meter has none).
    public var uniqueCount: Int64

    public init(account: String, meter: String, period: String, dimensions: String, events: Int64, sum: String,
                min: String?, max: String?, latest: LatestSample?, uniqueCount: Int64) {
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
}
