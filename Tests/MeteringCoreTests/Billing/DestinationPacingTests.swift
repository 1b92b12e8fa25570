import MeteringWorkload
import Testing
@testable import MeteringCore

/// The token bucket and the circuit breaker on instants the test sets (a manual clock).
@Suite struct DestinationPacingTests {
    let start = ContinuousClock.Instant.now

    /// Drives `pacing` as a relay would for `span`: asks, sleeps exactly as long as told,
    /// calls when let through and reports `answer(t)`. Returns the offsets of the calls made.
    func drive(_ pacing: inout DestinationPacing<ContinuousClock.Instant>, for span: Duration,
               callTakes: Duration = .milliseconds(1),
               answer: (Duration) -> DeliveryCallResult) -> [Duration] {
        var random = SplitMix64(seed: 3)
        var calls: [Duration] = []
        var t = Duration.zero
        while t < span {
            switch pacing.requestCall(now: start + t) {
            case .proceed:
                calls.append(t)
                t += callTakes
                pacing.callEnded(answer(t), now: start + t, using: &random)
            case .wait(let until):
                #expect(until > start + t, "a wait must move time forward")
                t = start.duration(to: until)
            }
        }
        return calls
    }

    @Test func theBucketNeverLetsMoreThanItsRateThroughInAnyWindow() {
        var bucket = TokenBucket(ratePerSecond: 80, now: start)
        #expect(bucket.burst == 8)
        var granted: [Duration] = []
        var t = Duration.zero
        // A caller asking every half millisecond for ten seconds.
        while t < .seconds(10) {
            if bucket.take(now: start + t) == .granted { granted.append(t) }
            t += .microseconds(500)
        }
        for window in [Duration.milliseconds(100), .seconds(1), .seconds(3)] {
            let allowed = 8 + Int(80 * window.wholeNanoseconds / 1_000_000_000)
            for (index, first) in granted.enumerated() {
                let inWindow = granted[index...].prefix { $0 < first + window }.count
                #expect(inWindow <= allowed, "\(inWindow) calls in \(window) from \(first)")
            }
        }
        // And it does deliver its rate: not starved by rounding.
        #expect(granted.count >= 80 * 10 && granted.count <= 8 + 80 * 10)
    }

    @Test func anEmptyBucketSaysExactlyWhenTheNextTokenComes() {
        var bucket = TokenBucket(ratePerSecond: 4, now: start)
        #expect(bucket.take(now: start) == .granted)
        #expect(bucket.take(now: start) == .wait(.milliseconds(250)))
        #expect(bucket.take(now: start + .milliseconds(100)) == .wait(.milliseconds(150)))
        #expect(bucket.take(now: start + .milliseconds(250)) == .granted)
        // A clock that goes back refills nothing.
        #expect(bucket.take(now: start) == .wait(.milliseconds(250)))
    }

    @Test func aDestinationThatIsDownOpensTheBreakerAndOnlyOneProbeGoesPerOpenPeriod() {
        var pacing = DestinationPacing(bucket: TokenBucket(ratePerSecond: 1_000, now: start),
                                       breaker: CircuitBreaker(failureThreshold: 5, openDuration: .seconds(10)))
        let calls = drive(&pacing, for: .seconds(60)) { _ in .failed }
        // Five failures in a row open it; then exactly one probe every ten seconds, none between.
        #expect(calls.count == 10)
        #expect(calls.prefix(5).allSatisfy { $0 < .milliseconds(10) })
        for (previous, probe) in zip(calls.dropFirst(4), calls.dropFirst(5)) {
            #expect(probe - previous >= .seconds(10) && probe - previous < .seconds(10) + .milliseconds(5))
        }
        #expect(pacing.claimableAfter(now: start + calls.last! + .milliseconds(2)) != nil)
    }

    @Test func aProbeThatSucceedsClosesTheBreakerAndCallsFlowAgain() {
        var pacing = DestinationPacing(bucket: TokenBucket(ratePerSecond: 100, now: start),
                                       breaker: CircuitBreaker(failureThreshold: 3, openDuration: .seconds(5)))
        // Down for the first 12 seconds, then up.
        let calls = drive(&pacing, for: .seconds(20)) { t in t < .seconds(12) ? .failed : .answered }
        let down = calls.filter { $0 < .seconds(12) }
        #expect(down.count == 3 + 2)                  // three failures, probes at ~5 s and ~10 s
        let up = calls.filter { $0 >= .seconds(12) }
        #expect(up.first.map { $0 >= .seconds(15) && $0 < .seconds(15) + .milliseconds(10) } == true)  // the third probe
        // Closed again: the bucket's rate, 100/s, for the last ~5 s.
        #expect(up.count >= 490 && up.count <= 10 + 100 * 5)
        #expect(pacing.breaker.state == .closed(consecutiveFailures: 0))
    }

    @Test func whileTheProbeIsOutNoOtherCallGoes() {
        var breaker = CircuitBreaker<ContinuousClock.Instant>(failureThreshold: 1, openDuration: .seconds(1))
        breaker.failed(now: start)
        #expect(breaker.permit(now: start + .milliseconds(999)) == .refuse(until: start + .seconds(1)))
        #expect(breaker.permit(now: start + .seconds(1)) == .probe)
        #expect(breaker.permit(now: start + .seconds(1)) == .awaitProbe)
        breaker.probeAbandoned()
        #expect(breaker.permit(now: start + .seconds(2)) == .probe)
        breaker.failed(now: start + .seconds(2))
        #expect(breaker.state == .open(until: start + .seconds(3)))
    }

    @Test func a429PausesEveryCallForItsRetryAfterAndDrainsTheBucket() {
        var pacing = DestinationPacing(bucket: TokenBucket(ratePerSecond: 100, now: start))
        var random = SplitMix64(seed: 1)
        #expect(pacing.requestCall(now: start) == .proceed)
        pacing.callEnded(.throttled(retryAfter: .seconds(3)), now: start, using: &random)
        #expect(pacing.requestCall(now: start + .seconds(1)) == .wait(until: start + .seconds(3)))
        #expect(pacing.claimableAfter(now: start + .seconds(1)) == start + .seconds(3))
        #expect(pacing.requestCall(now: start + .seconds(3)) == .proceed)
        #expect(pacing.breaker.state == .closed(consecutiveFailures: 0), "a 429 is an answer: the destination is up")
    }

    @Test func a429WithoutRetryAfterBacksOffMoreWithEachOneInARow() {
        var pacing = DestinationPacing(bucket: TokenBucket(ratePerSecond: 1_000, now: start),
                                       throttleBackoff: RetryBackoff(base: .milliseconds(100), cap: .seconds(10)))
        var random = TopOfRange()
        var t = Duration.zero
        var pauses: [Duration] = []
        for _ in 0..<5 {
            guard case .proceed = pacing.requestCall(now: start + t) else { Issue.record("blocked"); return }
            pacing.callEnded(.throttled(retryAfter: nil), now: start + t, using: &random)
            let until = pacing.pausedUntil!
            pauses.append((start + t).duration(to: until))
            t = start.duration(to: until)
        }
        #expect(pauses == [100, 200, 400, 800, 1600].map { Duration.milliseconds($0) })
    }
}
