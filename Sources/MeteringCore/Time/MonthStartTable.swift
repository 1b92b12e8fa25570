internal import Synchronization

/// The precomputed month starts of one time zone for the years 1900 ... 2200, shared by every
/// `PeriodCalendar` of that zone through a process-wide cache.
///
/// Immutable after init, hence Sendable without locks; only the cache lookup at
/// `PeriodCalendar.init` takes a lock, never the per-event path.
final class MonthStartTable: Sendable {
    /// Month index (months since January of year 0) of `starts[0]`: January 1900.
    static let firstMonthIndex: Int64 = 1900 * 12
    /// Months covered: January 1900 ... December 2200.
    static let monthCount = (2200 - 1900 + 1) * 12
    /// Exactly the length of an average Gregorian month: 146 097 days × 86 400 s / 4 800 months.
    static let averageMonthSeconds: Int64 = 2_629_746

    let rules: MonthStartRules
    /// `starts[k]` is the first second of month `firstMonthIndex + k`, for `k` in
    /// `0 ... monthCount`; the last entry is where December 2200 ends.
    let starts: [Int64]

    init(rules: MonthStartRules) {
        self.rules = rules
        starts = (0...MonthStartTable.monthCount).map {
            rules.monthStart(monthIndex: MonthStartTable.firstMonthIndex + Int64($0))
        }
    }

    /// The month index of the month containing the UTC second `second`, if the table covers
    /// it. O(1): an estimate from the average month length, corrected by at most a step or two.
    func monthIndex(containing second: Int64) -> Int64? {
        guard let first = starts.first, let end = starts.last, second >= first, second < end else { return nil }
        var k = min(Int((second - first) / MonthStartTable.averageMonthSeconds), MonthStartTable.monthCount - 1)
        while starts[k] > second { k -= 1 }
        while starts[k + 1] <= second { k += 1 }
        return MonthStartTable.firstMonthIndex + Int64(k)
    }

    /// The first second of month `monthIndex`, from the table when it covers it.
    func start(ofMonthIndex monthIndex: Int64) -> Int64 {
        let k = monthIndex - MonthStartTable.firstMonthIndex
        return (0...Int64(MonthStartTable.monthCount)).contains(k) ? starts[Int(k)] : rules.monthStart(monthIndex: monthIndex)
    }

    /// The table of `identifier`, built on first use and shared afterwards; `nil` if the
    /// identifier is not a known IANA zone.
    static func shared(timeZoneIdentifier identifier: String) -> MonthStartTable? {
        if let table = cache.withLock({ $0[identifier] }) { return table }
        guard let rules = MonthStartRules(timeZoneIdentifier: identifier) else { return nil }
        let built = MonthStartTable(rules: rules)   // outside the lock: tens of milliseconds
        return cache.withLock { tables in
            if let existing = tables[identifier] { return existing }
            tables[identifier] = built
            return built
        }
    }

    private static let cache = Mutex<[String: MonthStartTable]>([:])
}
