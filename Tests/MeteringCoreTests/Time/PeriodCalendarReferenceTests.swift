import Foundation
import MeteringCore
import Testing

/// Checks `PeriodCalendar` against a slow reference: Foundation's Gregorian calendar asked
/// for the local year and month of each instant. (Zones whose clocks ever fell back across the
/// midnight of a 1st, such as America/Phoenix in 1944, are left out: there the reference's
/// local date leaves the month once more, which `PeriodCalendar` by design does not.)
struct PeriodCalendarReferenceTests {
    static let zones = ["UTC", "America/New_York", "Europe/Berlin", "Asia/Kolkata", "Pacific/Chatham",
                        "America/Havana", "America/Santiago", "Australia/Lord_Howe", "Pacific/Apia",
                        "Asia/Kathmandu", "America/Sao_Paulo", "Africa/Casablanca", "Europe/Dublin"]

    @Test(arguments: zones)
    func randomInstantsFallInTheLocalMonthOfTheReference(_ zone: String) throws {
        let calendar = try PeriodCalendar(timeZone: zone)
        let reference = try Self.gregorian(zone)
        var random = TimeTestRandom(seed: UInt64(truncatingIfNeeded: zone.utf8.reduce(7) { $0 &* 31 &+ Int($1) }))
        // 1600 ... 2600: inside the table (1900 ... 2200) and on the slower path on both sides;
        // Foundation's Gregorian calendar is proleptic only after 1582.
        let earliest: Int64 = -11_676_096_000, latest: Int64 = 19_880_899_200
        for sample in 0..<4_000 {
            // Every fourth sample lands within a day of a month start, where mistakes would hide.
            var seconds = Int64.random(in: earliest...latest, using: &random)
            if sample % 4 == 0 {
                let start = calendar.bounds(of: calendar.period(containing: EventTime(seconds: seconds))).start.seconds
                seconds = start + Int64.random(in: -86_400...86_400, using: &random)
            }
            let time = EventTime(seconds: seconds, nanoseconds: Int32.random(in: 0..<1_000_000_000, using: &random))
            let period = calendar.period(containing: time)
            let local = reference.dateComponents([.year, .month], from: Self.date(time))
            #expect(period == BillingPeriod(year: local.year!, month: local.month!), "\(zone) \(time)")
            let bounds = calendar.bounds(of: period)
            #expect(bounds.start <= time && time < bounds.end, "\(zone) \(time)")
        }
    }

    /// Every precomputed month start is the first second whose local date is in that month.
    @Test(arguments: zones)
    func everyTableMonthStartsAtTheFirstLocalSecondOfTheMonth(_ zone: String) throws {
        let calendar = try PeriodCalendar(timeZone: zone)
        let reference = try Self.gregorian(zone)
        var period = try #require(BillingPeriod("1900-01"))
        while period.year <= 2200 {
            let start = calendar.bounds(of: period).start
            let first = reference.dateComponents([.year, .month, .day], from: Self.date(start))
            let before = reference.dateComponents([.year, .month], from: Self.date(EventTime(seconds: start.seconds - 1)))
            #expect(BillingPeriod(year: first.year!, month: first.month!) == period && first.day == 1, "\(zone) \(period)")
            #expect(BillingPeriod(year: before.year!, month: before.month!) == period.previous, "\(zone) \(period)")
            period = period.next
        }
    }

    static func gregorian(_ zone: String) throws -> Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: zone))
        return calendar
    }

    /// Month starts are whole seconds, so the whole second decides the month (and stays exact
    /// as a `Double`, where nanoseconds would round).
    static func date(_ time: EventTime) -> Date {
        Date(timeIntervalSince1970: TimeInterval(time.seconds))
    }
}
