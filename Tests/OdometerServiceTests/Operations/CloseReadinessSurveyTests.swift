import MeteringCore
@testable import OdometerService
import PostgresStore
import Testing

/// How the status page words close readiness; the rule itself is `CloseReadiness`'s (tested
/// with the close command).
@Suite struct CloseReadinessSurveyTests {
    let open = OpenPeriodRecord(period: "2026-10", openAccounts: 3, rows: 42)

    func readiness(_ partitions: [(next: Int64, covered: Int64?, high: Int64)]) -> CloseReadiness {
        CloseReadiness(period: BillingPeriod("2026-10")!, calendars: [.utc], gracePeriod: .seconds(3600),
                       partitions: partitions.enumerated().map { index, partition in
                           .init(partition: Int32(index), nextOffset: partition.next,
                                 coveredAppendMilliseconds: partition.covered, log: LogRange(low: 0, high: partition.high))
                       })
    }

    @Test func aPeriodBehindNamesItsPartitionsAndWhatTheyLack() {
        // 2026-11-01T01:00:00Z, October's end plus an hour, is 1_793_494_800_000 ms.
        let view = CloseReadinessSurvey.view(open, readiness([(100, 1_793_494_800_000, 150), (40, nil, 90), (70, nil, 70)]))
        #expect(!view.ready)
        #expect(view.behind == [PartitionBehind(partition: 1, detail: "50 messages not yet metered")])
        #expect(view.summary.contains("2026-11-01T01:00:00Z"))
        #expect(view.rows == 42 && view.openAccounts == 3)
    }

    @Test func aPeriodWhosePartitionsAreCoveredOrCaughtUpIsReady() {
        let view = CloseReadinessSurvey.view(open, readiness([(100, 1_793_494_800_000, 150), (90, nil, 90)]))
        #expect(view.ready)
        #expect(view.behind.isEmpty)
        #expect(view.summary == "ready to close")
    }
}
