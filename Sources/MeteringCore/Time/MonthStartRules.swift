internal import Foundation

/// Where the months of one time zone begin on the UTC time line: the only code of the
/// billing-period calendar that asks Foundation, used to fill a `MonthStartTable` once per zone
/// and for the rare instant outside it. Never called per event inside the table. Thread-safe
/// (`TimeZone` is Sendable).
///
/// A month begins at the first instant whose local wall-clock time is at or after midnight on
/// its 1st. When the clocks jump over midnight (America/Havana 2012-04-01 00:00 → 01:00), that
/// is the instant of the jump. When they fall back across midnight (America/Phoenix
/// 1944-01-01 00:01 → 1943-12-31 23:01), the repeated hour of the old month's last day
/// already belongs to the new month, so that months never overlap.
enum MonthStartRules: Sendable {
    /// UTC: months start at midnight UTC, computed without Foundation.
    case utc
    /// An IANA zone, with its full history of offset transitions.
    case zone(TimeZone)

    /// The rules of an IANA identifier; `nil` if Foundation does not know it or it is a custom
    /// offset (`GMT+5`, `UTC-03:00`) rather than a zone name.
    init?(timeZoneIdentifier identifier: String) {
        if identifier == "UTC" {
            self = .utc
            return
        }
        let customOffsetPrefixes = ["GMT+", "GMT-", "UTC+", "UTC-"]
        guard !customOffsetPrefixes.contains(where: { identifier.hasPrefix($0) }),
              let zone = TimeZone(identifier: identifier)
        else { return nil }
        self = .zone(zone)
    }

    /// The first instant, in whole seconds since the epoch, at which the local clock reads at
    /// or after 00:00 on the 1st of month `monthIndex` (months since January of year 0).
    func monthStart(monthIndex: Int64) -> Int64 {
        let localMidnight = CivilDate.firstDay(ofMonthIndex: monthIndex).dayNumber * CivilDate.secondsPerDay
        guard case .zone(let zone) = self else { return localMidnight }

        // Walk the zone's constant-offset intervals from two days before (every UTC offset
        // ever used is well under a day) and take the first instant t with t + offset ≥ midnight.
        // Despite its name, `nextDaylightSavingTimeTransition` reports every change of the UTC
        // offset (standard-time changes and skipped days included), not only DST.
        var intervalStart = localMidnight - 2 * CivilDate.secondsPerDay
        var offset = Int64(zone.secondsFromGMT(for: Date(epochSeconds: intervalStart)))
        while let transition = zone.nextDaylightSavingTimeTransition(after: Date(epochSeconds: intervalStart)) {
            let intervalEnd = Int64(transition.timeIntervalSince1970.rounded(.up))
            let candidate = max(intervalStart, localMidnight - offset)
            guard candidate >= intervalEnd, intervalEnd > intervalStart else { return candidate }
            intervalStart = intervalEnd
            offset = Int64(zone.secondsFromGMT(for: Date(epochSeconds: intervalStart)))
        }
        return max(intervalStart, localMidnight - offset)
    }
}

extension Date {
    fileprivate init(epochSeconds: Int64) {
        self.init(timeIntervalSince1970: TimeInterval(epochSeconds))
    }
}
