import Foundation
import OdometerService
import Testing

@Suite struct DeadLetterReplayRequestTests {
    @Test func reasonAndAppendTimeSelect() {
        let since = Date(timeIntervalSince1970: 1_800_000_000)
        let request = DeadLetterReplayRequest(since: since, reason: "unknown_type")
        #expect(request.selects(reason: "unknown_type", appendedMilliseconds: 1_800_000_000_000))
        #expect(!request.selects(reason: "unknown_type", appendedMilliseconds: 1_799_999_999_999))
        #expect(!request.selects(reason: "bad_time", appendedMilliseconds: 1_800_000_000_500))
        #expect(!request.selects(reason: "unknown_type", appendedMilliseconds: nil))
        #expect(DeadLetterReplayRequest().selects(reason: nil, appendedMilliseconds: nil))
    }

    @Test func operatorsMayGiveSinceAsATimeOrADurationBeforeNow() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(try OperatorInput.instant("2027-01-15T08:00:00Z", parameter: "--since", now: now)
                == Date(timeIntervalSince1970: 1_800_000_000))
        #expect(try OperatorInput.instant("2h", parameter: "--since", now: now) == Date(timeIntervalSince1970: 1_799_992_800))
        #expect(throws: OperatorInputError.self) { try OperatorInput.instant("yesterday", parameter: "--since", now: now) }
    }
}
