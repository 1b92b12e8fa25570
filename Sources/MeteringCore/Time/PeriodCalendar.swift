/// Maps instants to the billing periods of one IANA time zone (DESIGN §3: a period is the
/// calendar month in the account's zone) and periods back to their UTC bounds.
///
/// A month starts at the first instant whose local time is at or after 00:00 on its 1st.
/// Where the clocks jump over that midnight (America/Havana, 2012-04-01 00:00 → 01:00) this is
/// the instant of the jump; where they fall back across it (America/Phoenix, 1944-01-01
/// 00:01 → 1943-12-31 23:01) the repeated hour already belongs to the new month. So periods
/// tile the time line without gap or overlap, and their UTC bounds move with daylight saving.
///
/// Immutable after init, Sendable, thread-safe. For instants of the years 1900 ... 2200 every
/// call is O(1), reads a precomputed table shared by all calendars of the zone, takes no lock,
/// never allocates and never calls Foundation. Outside those years it asks Foundation's time
/// zone data (slower, same definition). A zone's table is built once per process, at the first
/// init with its identifier (about 10-20 ms); later inits take a lock briefly and share it.
public struct PeriodCalendar: Sendable {
    /// The identifier this calendar was made with, e.g. `Europe/Berlin`.
    public let timeZoneIdentifier: String
    private let table: MonthStartTable

    /// The calendar of the IANA zone `identifier` (case-sensitive, e.g. `America/New_York`).
    /// `UTC` needs no time zone data; other names are looked up in Foundation's.
    /// - Throws: `PeriodCalendarError.unknownTimeZone` naming the identifier if the time zone
    ///   data does not know it, or if it is a custom offset such as `GMT+5`.
    public init(timeZone identifier: String) throws(PeriodCalendarError) {
        guard let table = MonthStartTable.shared(timeZoneIdentifier: identifier) else {
            throw .unknownTimeZone(identifier)
        }
        self.timeZoneIdentifier = identifier
        self.table = table
    }

    /// UTC months, the calendar of events whose account is unknown. Needs no time zone data.
    public static let utc: PeriodCalendar = {
        do {
            return try PeriodCalendar(timeZone: "UTC")
        } catch {
            preconditionFailure("UTC is computed without time zone data and cannot fail: \(error)")
        }
    }()

    /// The period whose bounds contain `time`.
    /// - Precondition: the period's index fits an `Int32` (within about 178 million years of
    ///   year 0); every time `RFC3339.parse` returns does.
    public func period(containing time: EventTime) -> BillingPeriod {
        if let monthIndex = table.monthIndex(containing: time.seconds) {
            return BillingPeriod(index: Int32(truncatingIfNeeded: monthIndex))
        }
        // Outside the table. Offsets are under a day, so the local month is the UTC month or
        // one of its neighbours.
        let utcMonth = CivilDate(secondsSinceEpoch: time.seconds).monthIndex
        let labelled = (Int64(Int32.min) - 1)...(Int64(Int32.max) + 1)
        guard labelled.contains(utcMonth) else { Self.beyondLabels(time) }
        let localMonth: Int64
        if time.seconds >= table.start(ofMonthIndex: utcMonth + 1) {
            localMonth = utcMonth + 1
        } else if time.seconds >= table.start(ofMonthIndex: utcMonth) {
            localMonth = utcMonth
        } else {
            localMonth = utcMonth - 1
        }
        guard let index = Int32(exactly: localMonth) else { Self.beyondLabels(time) }
        return BillingPeriod(index: index)
    }

    private static func beyondLabels(_ time: EventTime) -> Never {
        preconditionFailure("\(time) lies beyond the years a BillingPeriod can label (Int32 months from year 0)")
    }

    /// The UTC bounds of `period` in this zone: `start` is its first instant, `end` the first
    /// instant of the next period, so an instant `t` is in `period` exactly when
    /// `start <= t && t < end`.
    public func bounds(of period: BillingPeriod) -> (start: EventTime, end: EventTime) {
        let index = Int64(period.index)
        return (EventTime(seconds: table.start(ofMonthIndex: index)),
                EventTime(seconds: table.start(ofMonthIndex: index + 1)))
    }
}
