/// When to try again after a transient failure: exponential backoff with full jitter, capped,
/// and never sooner than the server asked (`Retry-After`).
///
/// Attempt `n` (n ≥ 1 attempts made) waits a uniformly random time in `0 ... min(base·2ⁿ⁻¹, cap)`
/// (full jitter: retries of many documents spread over the whole window instead of arriving
/// together), then at least the server's hint. Pure: the random source is injected, so tests
/// are exact. A value type.
public struct RetryBackoff: Sendable, Equatable {
    public let base: Duration
    public let cap: Duration

    public init(base: Duration = .seconds(1), cap: Duration = .seconds(300)) {
        precondition(base > .zero && cap >= base, "backoff needs 0 < base ≤ cap")
        self.base = base
        self.cap = cap
    }

    /// The largest delay attempt number `attempts + 1` may wait, before the server's hint.
    public func ceiling(afterAttempts attempts: Int) -> Duration {
        var ceiling = base
        for _ in 0..<min(max(attempts - 1, 0), 62) where ceiling < cap { ceiling = ceiling * 2 }
        return min(ceiling, cap)
    }

    /// The delay before attempt number `attempts + 1`.
    public func delay(afterAttempts attempts: Int, serverHint: Duration?,
                      using random: inout some RandomNumberGenerator) -> Duration {
        let jittered = Duration.nanoseconds(Int64.random(in: 0...ceiling(afterAttempts: attempts).wholeNanoseconds,
                                                         using: &random))
        guard let serverHint else { return jittered }
        return max(jittered, serverHint)
    }
}

extension Duration {
    /// Whole nanoseconds, truncated, saturating at about 292 years.
    public var wholeNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        guard seconds < 9_000_000_000 else { return .max }
        guard seconds > -9_000_000_000 else { return .min }
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
