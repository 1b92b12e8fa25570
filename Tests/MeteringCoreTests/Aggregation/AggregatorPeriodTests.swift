import Foundation
import Testing
@testable import MeteringCore

/// The aggregator remembers each calendar's most recent period and its bounds, so most events
/// skip the calendar. Events that jump across local month starts in four zones, in random
/// order, must each land in the local month Foundation's Gregorian calendar gives their
/// account's zone, through drains and a directory replaced with the calendars renumbered.
@Suite struct AggregatorPeriodTests {
    static let zones = ["a-kolkata": "Asia/Kolkata", "a-new-york": "America/New_York",
                        "a-chatham": "Pacific/Chatham", "a-unknown": "UTC"]

    @Test func everyEventLandsInItsAccountsLocalMonth() throws {
        let named = Self.zones.filter { $0.key != "a-unknown" }.sorted { $0.key < $1.key }
        let first = try AccountDirectory(accounts: named.map { Account(id: $0.key, plan: "p", timeZone: $0.value) })
        // The same zones at other calendar indices.
        let second = try AccountDirectory(accounts: named.reversed().map { Account(id: $0.key, plan: "p", timeZone: $0.value) })
        let aggregator = ShardAggregator(catalog: DecoderFixture.catalog, directory: first)
        let decoder = EventDecoder(catalog: DecoderFixture.catalog)
        let utc = try PeriodCalendarReferenceTests.gregorian("UTC")
        var random = TimeTestRandom(seed: 20261205)
        var expected: [String: Int] = [:]
        var metered: [String: Int] = [:]
        let subjects = Self.zones.keys.sorted()
        for event in 0..<4_000 {
            if event == 2_000 { aggregator.replaceDirectory(second) }
            if event % 700 == 699 { Self.count(aggregator.drain(), into: &metered) }
            // Within a day and a half of a UTC month start of 2026-2027: either side of the local one.
            let months = Int.random(in: 0..<24, using: &random)
            let month = try #require(utc.date(from: DateComponents(year: 2026 + months / 12, month: months % 12 + 1, day: 1)))
            let seconds = Int64(month.timeIntervalSince1970) + Int64.random(in: -129_600...129_600, using: &random)
            let time = EventTime(seconds: seconds, nanoseconds: Int32.random(in: 0..<1_000_000_000, using: &random))
            let subject = subjects[Int.random(in: 0..<subjects.count, using: &random)]
            let local = try PeriodCalendarReferenceTests.gregorian(Self.zones[subject]!)
                .dateComponents([.year, .month], from: PeriodCalendarReferenceTests.date(time))
            expected["\(subject) \(BillingPeriod(year: local.year!, month: local.month!)!)", default: 0] += 1
            let json = #"{"specversion":"1.0","id":"e\#(event)","source":"s","type":"ping","subject":"\#(subject)","#
                + #""time":"\#(RFC3339.format(time))"}"#
            try Array(json.utf8).withUnsafeBytes { bytes in
                let reason = decoder.decode(bytes)
                try #require(reason == nil, "\(json): \(String(describing: reason))")
                aggregator.aggregate(decoder, partition: 0, offset: Int64(event))
            }
        }
        Self.count(aggregator.drain(), into: &metered)
        #expect(metered == expected)
    }

    /// A replaced directory may put another zone at a calendar's index: what the aggregator
    /// remembered for the old zone must not decide the new one's months. 2026-03-01T00:00Z is in
    /// March in Kolkata (05:30) and in February in New York (19:00 the day before).
    @Test func aReplacedDirectoryForgetsTheRecentPeriods() throws {
        let kolkata = try AccountDirectory(accounts: [Account(id: "a", plan: "p", timeZone: "Asia/Kolkata")])
        let newYork = try AccountDirectory(accounts: [Account(id: "b", plan: "p", timeZone: "America/New_York")])
        let aggregator = ShardAggregator(catalog: DecoderFixture.catalog, directory: kolkata)
        let decoder = EventDecoder(catalog: DecoderFixture.catalog)
        for (subject, time) in [("a", "2026-03-15T12:00:00Z"), ("b", "2026-03-01T00:00:00Z")] {
            if subject == "b" { aggregator.replaceDirectory(newYork) }
            let json = #"{"specversion":"1.0","id":"e","source":"s","type":"ping","subject":"\#(subject)","time":"\#(time)"}"#
            try Array(json.utf8).withUnsafeBytes { bytes in
                try #require(decoder.decode(bytes) == nil)
                aggregator.aggregate(decoder, partition: 0, offset: 0)
            }
        }
        var metered: [String: Int] = [:]
        Self.count(aggregator.drain(), into: &metered)
        #expect(metered == ["a 2026-03": 1, "b 2026-02": 1])
    }

    /// Adds the events of each drained row to its "subject period".
    static func count(_ delta: ShardDelta, into counts: inout [String: Int]) {
        for row in delta.totalsInAllColumns() {
            let columns = row.split(separator: "\t", omittingEmptySubsequences: false)
            counts["\(columns[0]) \(columns[2])", default: 0] += Int(columns[4])!
        }
    }
}
