/// Decides, for every call to one destination, whether it may go now (DESIGN §7): the
/// destination's token bucket, its circuit breaker, and a pause after a 429.
///
/// - A call goes only when the breaker lets it (closed, or the one half-open probe) and the
///   bucket has a token; otherwise the answer is the instant to ask again.
/// - A 429 drains the bucket and pauses every call for the server's `Retry-After`, or, without
///   one, for a full-jitter backoff that grows with consecutive 429s (Stripe promises no
///   `Retry-After`, Lago never sends one).
/// - Failures (5xx, timeouts, dropped connections) feed the breaker; any answer closes it.
///
/// The shell (``DeliveryGate`` in BillingWriters) asks before each HTTP request and reports
/// each result; the relay asks ``claimableAfter(now:)`` before it claims documents, so no
/// document is leased while the destination is known to be down. A value type over any
/// `InstantProtocol`; not thread-safe: its owner serializes access.
public struct DestinationPacing<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    public enum Decision: Equatable, Sendable {
        case proceed
        /// Nothing was taken: ask again at this instant.
        case wait(until: Instant)
    }

    public private(set) var bucket: TokenBucket<Instant>
    public private(set) var breaker: CircuitBreaker<Instant>
    public let throttleBackoff: RetryBackoff
    /// How long to wait before asking again while the half-open probe is out.
    public let probePollInterval: Duration
    public private(set) var pausedUntil: Instant?
    private var consecutiveThrottles = 0

    public init(bucket: TokenBucket<Instant>, breaker: CircuitBreaker<Instant> = CircuitBreaker(),
                throttleBackoff: RetryBackoff = RetryBackoff(base: .milliseconds(250), cap: .seconds(30)),
                probePollInterval: Duration = .milliseconds(50)) {
        self.bucket = bucket
        self.breaker = breaker
        self.throttleBackoff = throttleBackoff
        self.probePollInterval = probePollInterval
    }

    /// Whether one call may go at `now`. `.proceed` has taken a token (and, half-open, the probe).
    public mutating func requestCall(now: Instant) -> Decision {
        if let blocked = claimableAfter(now: now) { return .wait(until: blocked) }
        if breaker.peek(now: now) == .awaitProbe { return .wait(until: now.advanced(by: probePollInterval)) }
        switch bucket.take(now: now) {
        case .wait(let duration):
            return .wait(until: now.advanced(by: duration))
        case .granted:
            _ = breaker.permit(now: now)
            return .proceed
        }
    }

    /// Records how a call that was let through ended.
    public mutating func callEnded(_ result: DeliveryCallResult, now: Instant, using random: inout some RandomNumberGenerator) {
        switch result {
        case .answered:
            breaker.succeeded()
            consecutiveThrottles = 0
        case .throttled(let retryAfter):
            breaker.succeeded()
            consecutiveThrottles += 1
            let pause = throttleBackoff.delay(afterAttempts: consecutiveThrottles, serverHint: retryAfter, using: &random)
            let until = now.advanced(by: pause)
            if pausedUntil.map({ $0 < until }) ?? true { pausedUntil = until }
            bucket.drain(now: now)
        case .failed:
            breaker.failed(now: now)
        case .abandoned:
            breaker.probeAbandoned()
        }
    }

    /// Nil when documents may be claimed now; otherwise the instant the breaker half-opens or
    /// the 429 pause ends, whichever is later.
    public func claimableAfter(now: Instant) -> Instant? {
        var blocked: Instant?
        if let pausedUntil, now < pausedUntil { blocked = pausedUntil }
        if case .refuse(let until) = breaker.peek(now: now), blocked.map({ $0 < until }) ?? true { blocked = until }
        return blocked
    }
}

/// How one call to a destination ended, as its pacing needs to know.
public enum DeliveryCallResult: Equatable, Sendable {
    /// Any HTTP answer but a 429 or a 5xx: the destination is up.
    case answered
    /// HTTP 429, with the server's hint when it sent one.
    case throttled(retryAfter: Duration?)
    /// A 5xx, a timeout, a refused or dropped connection.
    case failed
    /// Cancelled before an answer (a relay stopping): says nothing about the destination.
    case abandoned
}
