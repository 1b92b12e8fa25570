import MeteringWorkload
import Testing
@testable import MeteringCore

/// A random source that always draws the top of the range, so full jitter is exactly its ceiling.
struct TopOfRange: RandomNumberGenerator {
    mutating func next() -> UInt64 { .max }
}

@Suite struct OutboxLifecycleTests {
    typealias Lifecycle = OutboxLifecycle<ContinuousClock.Instant>
    let now = ContinuousClock.Instant.now
    let backoff = RetryBackoff(base: .seconds(1), cap: .seconds(60))

    @Test func everyTransitionFollowsTheTable() throws {
        let rows: [(Lifecycle.State, Lifecycle.Event, Lifecycle.State, Lifecycle.Action)] = [
            (.pending(attempts: 0), .claimed, .inFlight(attempt: 1), .send),
            (.pending(attempts: 3), .claimed, .inFlight(attempt: 4), .send),
            (.inFlight(attempt: 1), .settled(.delivered(remoteId: "ii_1")), .delivered(remoteId: "ii_1"),
             .markDelivered(remoteId: "ii_1")),
            (.inFlight(attempt: 2), .settled(.failed(reason: "No such customer: 'cus_x'")),
             .failed(reason: "No such customer: 'cus_x'"), .markFailed(reason: "No such customer: 'cus_x'")),
            // Full jitter drawn at its top: the ceiling of attempt 1 is the base.
            (.inFlight(attempt: 1), .settled(.retry(reason: "503", after: nil)),
             .retrying(at: now + .seconds(1), attempts: 1), .reschedule(at: now + .seconds(1), after: .seconds(1), reason: "503")),
            // Retry-After above the ceiling (4 s at attempt 3) wins.
            (.inFlight(attempt: 3), .settled(.retry(reason: "429", after: .seconds(7))),
             .retrying(at: now + .seconds(7), attempts: 3), .reschedule(at: now + .seconds(7), after: .seconds(7), reason: "429")),
            // Below the ceiling (8 s at attempt 4) it is only a floor.
            (.inFlight(attempt: 4), .settled(.retry(reason: "429", after: .seconds(2))),
             .retrying(at: now + .seconds(8), attempts: 4), .reschedule(at: now + .seconds(8), after: .seconds(8), reason: "429")),
            (.inFlight(attempt: 5), .settled(.rekey(newKey: "odm_k:r1", reason: "replayed 500")), .pending(attempts: 5),
             .storeKey("odm_k:r1", reason: "replayed 500")),
            (.inFlight(attempt: 2), .leaseExpired, .pending(attempts: 2), .none),
            (.retrying(at: now, attempts: 2), .due, .pending(attempts: 2), .none),
            (.failed(reason: "bad"), .retryRequested, .pending(attempts: 0), .requeue),
        ]
        for (state, event, next, action) in rows {
            var lifecycle = Lifecycle(state: state, backoff: backoff)
            var random = TopOfRange()
            #expect(try lifecycle.handle(event, now: now, using: &random) == action, "\(state) + \(event)")
            #expect(lifecycle.state == next, "\(state) + \(event)")
        }
    }

    @Test func eventsThatCannotHappenAreRefusedAndChangeNothing() {
        let rows: [(Lifecycle.State, Lifecycle.Event)] = [
            (.delivered(remoteId: "ii_1"), .claimed),
            (.delivered(remoteId: "ii_1"), .retryRequested),
            (.pending(attempts: 0), .settled(.delivered(remoteId: "ii_1"))),
            (.failed(reason: "bad"), .claimed),
            (.retrying(at: now + .seconds(5), attempts: 1), .due),
            (.retrying(at: now, attempts: 1), .claimed),
            (.pending(attempts: 1), .leaseExpired),
        ]
        for (state, event) in rows {
            var lifecycle = Lifecycle(state: state, backoff: backoff)
            var random = TopOfRange()
            #expect(throws: OutboxTransitionError.self, "\(state) + \(event)") {
                try lifecycle.handle(event, now: now, using: &random)
            }
            #expect(lifecycle.state == state)
        }
    }

    @Test func backoffDoublesPerAttemptOfTheDocumentUpToTheCap() {
        #expect((1...9).map { backoff.ceiling(afterAttempts: $0) }
                == [1, 2, 4, 8, 16, 32, 60, 60, 60].map { Duration.seconds($0) })
        #expect(backoff.ceiling(afterAttempts: 10_000) == .seconds(60))
    }

    @Test func fullJitterSpreadsRetriesOverTheWholeWindow() {
        var random = SplitMix64(seed: 7)
        let delays = (0..<2_000).map { _ in backoff.delay(afterAttempts: 4, serverHint: nil, using: &random) }
        #expect(delays.allSatisfy { $0 >= .zero && $0 <= .seconds(8) })
        // Full jitter, not equal jitter: the lower half of the window is used too.
        #expect(delays.filter { $0 < .seconds(4) }.count > 800)
        #expect(delays.filter { $0 >= .seconds(4) }.count > 800)
        for _ in 0..<100 {
            #expect(backoff.delay(afterAttempts: 4, serverHint: .seconds(30), using: &random) == .seconds(30))
        }
    }
}

@Suite struct DeliveryKeyTests {
    @Test func oneLineHasADistinctKeyAtEachDestinationAndTheSameKeyEveryTime() {
        let line = InvoiceLine.key(account: "acct-1", meter: "api_calls", period: "2026-10", dimensions: "{}", version: 1)
        let keys = ["stripe", "lago", "odoo"].map { DeliveryKey.derive(destination: $0, documentKey: line) }
        #expect(Set(keys).count == 3)
        #expect(keys == ["stripe", "lago", "odoo"].map { DeliveryKey.derive(destination: $0, documentKey: line) })
        #expect(keys.allSatisfy { $0.hasPrefix("odm_") && $0.count == 68 })
        // Length prefixes keep the fields apart: ("ab", "c") and ("a", "bc") differ.
        #expect(DeliveryKey.derive(destination: "ab", documentKey: "c") != DeliveryKey.derive(destination: "a", documentKey: "bc"))
    }

    @Test func aSpentKeyIsFollowedByR1ThenR2() {
        #expect(DeliveryKey.successor(of: "odm_abc") == "odm_abc:r1")
        #expect(DeliveryKey.successor(of: "odm_abc:r1") == "odm_abc:r2")
        #expect(DeliveryKey.successor(of: "odm_abc:r9") == "odm_abc:r10")
        #expect(DeliveryKey.successor(of: "odm_abc:rx") == "odm_abc:rx:r1")
        #expect(DeliveryKey.base(of: "odm_abc:r2") == "odm_abc" && DeliveryKey.base(of: "odm_abc") == "odm_abc")
    }
}
