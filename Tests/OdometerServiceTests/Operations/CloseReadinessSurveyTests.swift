import MeteringCore
@testable import OdometerService
import PostgresStore
import Testing

@Suite struct CloseReadinessSurveyTests {
    /// 2026-11-01T00:00:00Z, the end of October in UTC.
    let novemberFirst: Int64 = 1_793_491_200

    func progress(_ latest: [Int32: Int64?]) -> [Int32: PartitionProgress] {
        Dictionary(uniqueKeysWithValues: latest.map { partition, seconds in
            (partition, PartitionProgress(partition: partition, nextOffset: 10, latestEventSeconds: seconds, owner: "a"))
        })
    }

    @Test func aPeriodWaitsForEveryPartitionToPassItsEndPlusGrace() {
        let open = [OpenPeriodRecord(period: "2026-10", openAccounts: 3, rows: 42)]
        let survey = CloseReadinessSurvey.assess(
            openPeriods: open, progress: progress([0: novemberFirst + 7200, 1: novemberFirst + 60, 2: nil]),
            calendars: [.utc], gracePeriod: .seconds(3600))
        #expect(survey.count == 1)
        #expect(!survey[0].ready)
        #expect(survey[0].behind == [PartitionBehind(partition: 1, detail: "metered up to 2026-11-01T00:01:00Z")])
        #expect(survey[0].summary.contains("2026-11-01T01:00:00Z"))
    }

    @Test func aPeriodIsReadyOnceEveryMeteringPartitionIsPastIt() {
        let open = [OpenPeriodRecord(period: "2026-10", openAccounts: 3, rows: 42),
                    OpenPeriodRecord(period: "2026-11", openAccounts: 1, rows: 5)]
        let survey = CloseReadinessSurvey.assess(
            openPeriods: open, progress: progress([0: novemberFirst + 3600, 1: novemberFirst + 4000]),
            calendars: [.utc], gracePeriod: .seconds(3600))
        #expect(survey.map(\.ready) == [true, false])
        #expect(survey[1].behind.map(\.partition) == [0, 1])
    }
}
