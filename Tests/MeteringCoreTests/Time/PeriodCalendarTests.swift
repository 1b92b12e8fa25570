import MeteringCore
import Testing

struct PeriodCalendarTests {
    struct MonthBounds: Sendable, CustomTestStringConvertible {
        let zone: String
        let period: String
        /// UTC instants, computed independently (Python zoneinfo).
        let start: String
        let end: String
        var testDescription: String { "\(zone) \(period)" }
    }

    static let monthBounds: [MonthBounds] = [
        // UTC.
        MonthBounds(zone: "UTC", period: "2026-11", start: "2026-11-01T00:00:00Z", end: "2026-12-01T00:00:00Z"),
        MonthBounds(zone: "UTC", period: "2028-02", start: "2028-02-01T00:00:00Z", end: "2028-03-01T00:00:00Z"),
        // New York: EST -05:00, EDT -04:00 (DST from 2026-03-08, until 2026-11-01 02:00 local).
        MonthBounds(zone: "America/New_York", period: "2026-03", start: "2026-03-01T05:00:00Z", end: "2026-04-01T04:00:00Z"),
        MonthBounds(zone: "America/New_York", period: "2026-11", start: "2026-11-01T04:00:00Z", end: "2026-12-01T05:00:00Z"),
        // Berlin: CET +01:00, CEST +02:00.
        MonthBounds(zone: "Europe/Berlin", period: "2026-03", start: "2026-02-28T23:00:00Z", end: "2026-03-31T22:00:00Z"),
        MonthBounds(zone: "Europe/Berlin", period: "2026-10", start: "2026-09-30T22:00:00Z", end: "2026-10-31T23:00:00Z"),
        // Kolkata: +05:30 all year.
        MonthBounds(zone: "Asia/Kolkata", period: "2026-11", start: "2026-10-31T18:30:00Z", end: "2026-11-30T18:30:00Z"),
        // Chatham: +13:45 in the southern summer, +12:45 in winter.
        MonthBounds(zone: "Pacific/Chatham", period: "2026-01", start: "2025-12-31T10:15:00Z", end: "2026-01-31T10:15:00Z"),
        MonthBounds(zone: "Pacific/Chatham", period: "2026-07", start: "2026-06-30T11:15:00Z", end: "2026-07-31T11:15:00Z"),
        // No local midnight on the 1st: Havana jumped 00:00 → 01:00 on 2012-04-01, Kolkata
        // 00:00 → 01:00 on 1941-10-01; the month starts at the jump.
        MonthBounds(zone: "America/Havana", period: "2012-03", start: "2012-03-01T05:00:00Z", end: "2012-04-01T05:00:00Z"),
        MonthBounds(zone: "Asia/Kolkata", period: "1941-10", start: "1941-09-30T18:30:00Z", end: "1941-10-31T17:30:00Z"),
        // Phoenix fell back 1944-01-01 00:01 → 1943-12-31 23:01: January starts at its first midnight.
        MonthBounds(zone: "America/Phoenix", period: "1944-01", start: "1944-01-01T06:00:00Z", end: "1944-02-01T07:00:00Z"),
        // Outside the precomputed years: the slower path, same definition.
        MonthBounds(zone: "America/New_York", period: "1850-06", start: "1850-06-01T04:56:02Z", end: "1850-07-01T04:56:02Z"),
        MonthBounds(zone: "Europe/Berlin", period: "2250-07", start: "2250-06-30T22:00:00Z", end: "2250-07-31T22:00:00Z"),
        MonthBounds(zone: "UTC", period: "1066-10", start: "1066-10-01T00:00:00Z", end: "1066-11-01T00:00:00Z"),
    ]

    @Test(arguments: monthBounds)
    func boundsAreTheFirstInstantsOfLocalMonths(_ expected: MonthBounds) throws {
        let calendar = try PeriodCalendar(timeZone: expected.zone)
        let period = try #require(BillingPeriod(expected.period))
        let bounds = calendar.bounds(of: period)
        #expect(bounds.start == RFC3339.parse(expected.start))
        #expect(bounds.end == RFC3339.parse(expected.end))
    }

    @Test(arguments: monthBounds)
    func instantJustBeforeTheFirstMidnightIsInThePreviousPeriod(_ expected: MonthBounds) throws {
        let calendar = try PeriodCalendar(timeZone: expected.zone)
        let period = try #require(BillingPeriod(expected.period))
        let start = try #require(RFC3339.parse(expected.start))
        let end = try #require(RFC3339.parse(expected.end))
        let justBefore = EventTime(seconds: start.seconds - 1, nanoseconds: 999_999_999)
        #expect(calendar.period(containing: justBefore) == period.previous)
        #expect(calendar.period(containing: start) == period)
        #expect(calendar.period(containing: EventTime(seconds: end.seconds - 1, nanoseconds: 999_999_999)) == period)
        #expect(calendar.period(containing: end) == period.next)
    }

    @Test(arguments: [
        ("Europe/Berlin", "2026-02-28T23:59:59.999999999+01:00", "2026-02"),
        ("Europe/Berlin", "2026-03-01T00:00:00+01:00", "2026-03"),
        ("America/New_York", "2026-10-31T23:59:59.999-04:00", "2026-10"),
        ("America/New_York", "2026-11-01T00:00:00-04:00", "2026-11"),
        ("Asia/Kolkata", "2026-10-31T23:59:59+05:30", "2026-10"),
        ("Asia/Kolkata", "2026-11-01T00:00:00+05:30", "2026-11"),
        ("Pacific/Chatham", "2025-12-31T23:59:59+13:45", "2025-12"),
        ("Pacific/Chatham", "2026-01-01T00:00:00+13:45", "2026-01"),
        ("Pacific/Chatham", "2026-06-30T23:59:59+12:45", "2026-06"),
        ("Pacific/Chatham", "2026-07-01T00:00:00+12:45", "2026-07"),
        ("UTC", "2026-11-01T00:30:00+01:00", "2026-10"),
        ("UTC", "2026-10-31T23:30:00-01:00", "2026-11"),
        // The repeated hour after Phoenix's fall-back shows 1943-12-31 but belongs to January.
        ("America/Phoenix", "1943-12-31T23:30:00-07:00", "1944-01"),
    ])
    func localMidnightOnTheFirstSeparatesPeriods(_ zone: String, _ time: String, _ period: String) throws {
        let calendar = try PeriodCalendar(timeZone: zone)
        #expect(calendar.period(containing: try #require(RFC3339.parse(time))).description == period)
    }

    @Test
    func utcCalendarUsesUTCMonths() throws {
        #expect(PeriodCalendar.utc.timeZoneIdentifier == "UTC")
        let time = try #require(RFC3339.parse("2026-11-05T10:00:00.123Z"))
        #expect(PeriodCalendar.utc.period(containing: time).description == "2026-11")
    }

    @Test(arguments: ["Mars/Olympus_Mons", "europe/berlin", "Europe/Berlinn", "", "GMT+5", "UTC+01:00", "+05:30", "utc"])
    func unknownZoneFailsNamingIt(_ identifier: String) {
        #expect(throws: PeriodCalendarError.unknownTimeZone(identifier)) {
            try PeriodCalendar(timeZone: identifier)
        }
        #expect(PeriodCalendarError.unknownTimeZone(identifier).description.contains("\"\(identifier)\""))
    }

    @Test(arguments: ["Europe/Berlin", "Asia/Calcutta", "US/Eastern", "Etc/GMT+5", "Etc/UTC"])
    func ianaNamesAndLinksAreAccepted(_ identifier: String) throws {
        #expect(try PeriodCalendar(timeZone: identifier).timeZoneIdentifier == identifier)
    }

    /// Table edges: months on both sides of 1900-01 and 2201-01 tile the time line seamlessly.
    @Test(arguments: ["UTC", "America/New_York", "Pacific/Chatham"])
    func periodsTileTheTimeLineAcrossTheTableEdges(_ zone: String) throws {
        let calendar = try PeriodCalendar(timeZone: zone)
        for first in ["1899-10", "2200-10"] {
            var period = try #require(BillingPeriod(first))
            for _ in 0..<6 {
                let bounds = calendar.bounds(of: period)
                #expect(bounds.start < bounds.end)
                #expect(bounds.end == calendar.bounds(of: period.next).start)
                #expect(calendar.period(containing: bounds.start) == period)
                #expect(calendar.period(containing: EventTime(seconds: bounds.end.seconds - 1, nanoseconds: 999_999_999)) == period)
                period = period.next
            }
        }
    }

    @Test
    func calendarsOfOneZoneMadeConcurrentlyAgree() async throws {
        let probes = (0..<64).map { EventTime(seconds: 1_700_000_000 + Int64($0) * 1_234_567) }
        let results = try await withThrowingTaskGroup(of: [BillingPeriod].self) { group in
            for _ in 0..<8 {
                group.addTask {
                    let calendar = try PeriodCalendar(timeZone: "Asia/Tokyo")
                    return probes.map { calendar.period(containing: $0) }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 8)
        #expect(Set(results.map { $0.map(\.index) }).count == 1)
        #expect(results.first?.first?.description == "2023-11")   // 2023-11-15T07:13:20+09:00
    }

    @Test
    func extremeYearsStillMapInUTC() {
        let farFuture = BillingPeriod(index: 100_000 * 12)
        let bounds = PeriodCalendar.utc.bounds(of: farFuture)
        #expect(PeriodCalendar.utc.period(containing: bounds.start) == farFuture)
        #expect(PeriodCalendar.utc.period(containing: EventTime(seconds: bounds.start.seconds - 1)) == farFuture.previous)
        #expect(farFuture.description == "+100000-01")
    }

    @Test(arguments: [BillingPeriod(index: Int32.max - 1), BillingPeriod(index: Int32.min + 1), BillingPeriod(index: 0)])
    func extremePeriodsOfAZoneTileTheTimeLine(_ period: BillingPeriod) throws {
        let calendar = try PeriodCalendar(timeZone: "Europe/Berlin")
        let bounds = calendar.bounds(of: period)
        #expect(bounds.start < bounds.end)
        #expect(calendar.period(containing: bounds.start) == period)
        #expect(calendar.period(containing: EventTime(seconds: bounds.end.seconds - 1)) == period)
    }
}
