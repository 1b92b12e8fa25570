import Testing
@testable import MeteringCore

@Suite struct CloseReadinessTests {
    let october = BillingPeriod("2026-10")!
    /// 2026-11-01T00:00:00Z plus one hour of grace, in Unix milliseconds (computed by hand:
    /// 20,758 days from the epoch to 2026-11-01).
    let deadline: Int64 = (20_758 * 86_400 + 3600) * 1000

    func progress(_ partition: Int32, next: Int64, covered: Int64?, low: Int64 = 0, high: Int64)
        -> CloseReadiness.PartitionProgress {
        .init(partition: partition, nextOffset: next, coveredAppendMilliseconds: covered, log: LogRange(low: low, high: high))
    }

    @Test func theDeadlineIsPeriodEndPlusGraceInTheLatestClosingTimeZone() throws {
        let utc = CloseReadiness(period: october, calendars: [.utc], gracePeriod: .seconds(3600), partitions: [])
        #expect(utc.deadlineMilliseconds == deadline)
        #expect(utc.isReady)
        // Pacific/Honolulu (UTC−10) ends October ten hours after UTC does.
        let honolulu = try PeriodCalendar(timeZone: "Pacific/Honolulu")
        let both = CloseReadiness(period: october, calendars: [.utc, honolulu], gracePeriod: .seconds(3600), partitions: [])
        #expect(both.deadlineMilliseconds == deadline + 10 * 3_600_000)
    }

    @Test func aPartitionIsReadyWhenCaughtUpOrWhenItHasCommittedAMessageAppendedAfterTheDeadline() {
        let readiness = CloseReadiness(period: october, calendars: [.utc], gracePeriod: .seconds(3600), partitions: [
            progress(0, next: 500, covered: deadline - 1, high: 500),        // caught up: ready
            progress(1, next: 300, covered: deadline, high: 900),            // covers the deadline: ready
            progress(2, next: 300, covered: deadline - 1, high: 900),        // behind by up to 600 messages
            progress(3, next: 0, covered: nil, high: 0),                     // empty and never consumed: ready
            progress(4, next: 0, covered: nil, high: 40),                    // never consumed, holds messages
        ])
        #expect(readiness.behind == [.init(partition: 2, uncommittedMessages: 600),
                                     .init(partition: 4, uncommittedMessages: 40)])
        #expect(!readiness.isReady)
        #expect(readiness.behind[0].description == "partition 2 (600 messages not yet metered)")
    }

    @Test func eventTimeNoLongerCounts() {
        // Before, one future-dated event made its partition "ready" for any period. Now only what
        // was committed, by arrival, counts: a partition whose committed messages all arrived
        // before the deadline holds the close back, whatever their event times.
        let readiness = CloseReadiness(period: october, calendars: [.utc], gracePeriod: .zero, partitions: [
            progress(0, next: 10, covered: deadline - 3_600_001, high: 11),
        ])
        #expect(readiness.behind.map(\.partition) == [0])
    }
}
