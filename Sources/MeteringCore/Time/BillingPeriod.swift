/// A billing period: one calendar month, labelled as in the account's own time zone
/// (`2026-11`). Which instants it covers depends on the zone; see `PeriodCalendar`.
///
/// Stored as `index`, the number of months since January of year 0, so periods order,
/// hash and pack (`AggregateKey`) as one `Int32`. Value type, thread-safe.
public struct BillingPeriod: Hashable, Comparable, Sendable {
    /// Months since January of year 0: `year * 12 + (month - 1)`.
    public let index: Int32

    /// The period with months-since-year-0 `index`; every `Int32` is a valid period.
    public init(index: Int32) {
        self.index = index
    }

    /// The period of `month` (1 ... 12) in `year`; `nil` when the month is out of range or
    /// the index would not fit an `Int32`.
    public init?(year: Int, month: Int) {
        guard (1...12).contains(month), let index = Int32(exactly: year * 12 + month - 1) else { return nil }
        self.index = index
    }

    /// Parses exactly `YYYY-MM` (4-digit year 0000 ... 9999, month 01 ... 12); anything else,
    /// including spaces and a day part, is `nil`.
    public init?(_ text: String) {
        let bytes = text.utf8
        guard bytes.count == 7 else { return nil }
        var year = 0
        var month = 0
        for (position, byte) in bytes.enumerated() {
            if position == 4 {
                guard byte == UInt8(ascii: "-") else { return nil }
                continue
            }
            let digit = byte &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            if position < 4 { year = year * 10 + Int(digit) } else { month = month * 10 + Int(digit) }
        }
        self.init(year: year, month: month)
    }

    /// The calendar year (negative before year 0, which is 1 BC).
    public var year: Int { Int(CivilDate.floorDivide(Int64(index), 12)) }

    /// The month of the year, 1 ... 12.
    public var month: Int { Int(index) - year * 12 + 1 }

    /// The following month. - Precondition: `index < Int32.max`.
    public var next: BillingPeriod { BillingPeriod(index: index + 1) }

    /// The month before. - Precondition: `index > Int32.min`.
    public var previous: BillingPeriod { BillingPeriod(index: index - 1) }

    /// The number of days in the month (28 ... 31).
    public var dayCount: Int { Int(CivilDate.daysInMonth(year: Int64(year), month: Int64(month))) }

    /// The last day of the month as `YYYY-MM-DD`, e.g. `2028-02-29`.
    public var lastDayText: String {
        description + "-" + String(dayCount)
    }

    public static func < (lhs: BillingPeriod, rhs: BillingPeriod) -> Bool {
        lhs.index < rhs.index
    }
}

extension BillingPeriod: CustomStringConvertible {
    /// `YYYY-MM`. A year outside 0000 ... 9999 is printed in the expanded form of ISO 8601
    /// (`+10000-01`, `-0001-12`), which `init?(_:)` rejects.
    public var description: String {
        let year = self.year
        let sign = year < 0 ? "-" : (year > 9999 ? "+" : "")
        let digits = String(year.magnitude)
        let monthDigits = month < 10 ? "0" + String(month) : String(month)
        return sign + String(repeating: "0", count: max(0, 4 - digits.count)) + digits + "-" + monthDigits
    }
}
