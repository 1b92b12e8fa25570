public import MeteringCore

/// What every call to a destination passes first: ``DeliveryGate`` in production, a test's
/// own in tests. Thread-safe.
public protocol CallPacer: Sendable {
    /// Returns when the call may go. Throws ``GateClosed`` instead of waiting longer than the
    /// gate's inline limit (the breaker is open, or a 429 paused the destination): the caller
    /// then leaves its documents to the outbox's per-document backoff.
    func admit() async throws(GateClosed)
    /// How the call that was admitted ended.
    func record(_ result: DeliveryCallResult) async
    /// Nil when documents may be claimed for this destination now; otherwise how long until
    /// they may (its breaker is open, or a 429 paused it).
    func claimableIn() async -> Duration?
    /// The circuit breaker's position, for `odometer_destination_breaker_state`: 0 closed,
    /// 1 half-open (a probe may go), 2 open. Nil for a pacer without a breaker.
    func breakerPosition() async -> Int?
}

extension CallPacer {
    public func breakerPosition() async -> Int? { nil }
}

/// The destination cannot take calls for a while (its breaker is open or a 429 paused it).
public struct GateClosed: Error, Sendable, Equatable {
    /// How long from now until it may take calls again.
    public let reopensIn: Duration
    public init(reopensIn: Duration) { self.reopensIn = reopensIn }
}

/// One destination's pacing (token bucket, circuit breaker, 429 pause), shared by its writer
/// (before every HTTP request) and its relay (before every claim). The decisions are
/// ``DestinationPacing``'s; this actor only keeps it, reads the clock and sleeps.
///
/// Short waits for a token are slept inline; a wait longer than `maximumInlineWait` throws
/// ``GateClosed`` so that a batch does not hold its documents behind a long pause.
/// Thread-safe (an actor). Generic over the clock so tests can drive it by hand.
public actor DeliveryGate<C: Clock>: CallPacer where C.Duration == Duration {
    private var pacing: DestinationPacing<C.Instant>
    private let clock: C
    private let maximumInlineWait: Duration
    private var random: any RandomNumberGenerator & Sendable

    public init(pacing: DestinationPacing<C.Instant>, clock: C, maximumInlineWait: Duration = .seconds(1),
                random: any RandomNumberGenerator & Sendable = SystemRandomNumberGenerator()) {
        self.pacing = pacing
        self.clock = clock
        self.maximumInlineWait = maximumInlineWait
        self.random = random
    }

    public func admit() async throws(GateClosed) {
        while true {
            let now = clock.now
            switch pacing.requestCall(now: now) {
            case .proceed:
                return
            case .wait(let until):
                let wait = now.duration(to: until)
                guard wait <= maximumInlineWait else { throw GateClosed(reopensIn: wait) }
                do {
                    try await clock.sleep(until: until, tolerance: nil)
                } catch {
                    throw GateClosed(reopensIn: wait)
                }
            }
        }
    }

    public func record(_ result: DeliveryCallResult) {
        pacing.callEnded(result, now: clock.now, using: &random)
    }

    /// Nil when the relay may claim documents now; otherwise how long until it may.
    public func claimableIn() -> Duration? {
        let now = clock.now
        return pacing.claimableAfter(now: now).map { now.duration(to: $0) }
    }

    public func breakerPosition() -> Int? {
        switch pacing.breaker.state {
        case .closed: 0
        case .halfOpen: 1
        case .open(let until): until <= clock.now ? 1 : 2
        }
    }

    /// The pacing state, for tests.
    public var state: DestinationPacing<C.Instant> { pacing }
}

extension DeliveryGate where C == ContinuousClock {
    /// A gate on the continuous clock pacing at `ratePerSecond`.
    public init(ratePerSecond: Int, breaker: CircuitBreaker<ContinuousClock.Instant> = CircuitBreaker(),
                throttleBackoff: RetryBackoff = RetryBackoff(base: .milliseconds(250), cap: .seconds(30)),
                maximumInlineWait: Duration = .seconds(1)) {
        let clock = ContinuousClock()
        self.init(pacing: DestinationPacing(bucket: TokenBucket(ratePerSecond: ratePerSecond, now: clock.now),
                                            breaker: breaker, throttleBackoff: throttleBackoff),
                  clock: clock, maximumInlineWait: maximumInlineWait)
    }
}
