/// Paces the calls to one destination at its documented rate (DESIGN §7: "a token bucket
/// holds the destination's documented rate limit").
///
/// Guarantee: over any interval of length T, at most `burst + ratePerSecond × T` calls are
/// granted. The bucket holds at most `burst` tokens (a tenth of a second's worth by default,
/// so a burst cannot double the rate within one second) and refills continuously from the
/// injected clock's instants. Tokens are counted in billionths with integer arithmetic: no
/// floating point, no drift. A clock that goes backwards refills nothing.
///
/// A value type over any `InstantProtocol`; not thread-safe: its owner serializes access.
public struct TokenBucket<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    public enum Decision: Equatable, Sendable {
        case granted
        /// Nothing was taken; a token will be there after this long.
        case wait(Duration)
    }

    public let ratePerSecond: Int
    public let burst: Int
    /// One token, in the billionths the level is counted in.
    private static var token: Int64 { 1_000_000_000 }
    /// Billionths of a token; refilled at `ratePerSecond` billionths per nanosecond.
    private var level: Int64
    private var refilledAt: Instant

    /// A full bucket at `now`. `burst` defaults to a tenth of the rate (at least 1).
    public init(ratePerSecond: Int, burst: Int? = nil, now: Instant) {
        precondition(ratePerSecond > 0 && ratePerSecond <= 1_000_000, "a rate of 1 to 1,000,000 calls per second")
        self.ratePerSecond = ratePerSecond
        self.burst = max(1, min(burst ?? ratePerSecond / 10, 1_000_000))
        level = Int64(self.burst) * Self.token
        refilledAt = now
    }

    /// Takes one token if there is one.
    public mutating func take(now: Instant) -> Decision {
        refill(now)
        if level >= Self.token {
            level -= Self.token
            return .granted
        }
        let rate = Int64(ratePerSecond)
        return .wait(.nanoseconds((Self.token - level + rate - 1) / rate))
    }

    /// Empties the bucket: the next token comes one period after `now` (a 429 said the
    /// destination counts more calls than this bucket let through).
    public mutating func drain(now: Instant) {
        refill(now)
        level = 0
    }

    private mutating func refill(_ now: Instant) {
        let elapsed = refilledAt.duration(to: now)
        guard elapsed > .zero else { return }
        refilledAt = now
        let capacity = Int64(burst) * Self.token
        let rate = Int64(ratePerSecond)
        let nanoseconds = elapsed.wholeNanoseconds
        if nanoseconds >= (capacity - level) / rate + 1 {
            level = capacity
        } else {
            level = min(capacity, level + nanoseconds * rate)
        }
    }
}
