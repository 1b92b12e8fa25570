/// When to retry a delivery that failed transiently: exponential backoff with full jitter,
/// capped, and never sooner than the server asked (`Retry-After`). Pure: the random source
/// is injected, so tests are exact.
public struct RetryBackoff: Sendable, Equatable {
    public let base: Duration
    public let cap: Duration

    public init(base: Duration = .seconds(1), cap: Duration = .seconds(300)) {
        self.base = base
        self.cap = cap
    }

    /// The delay before attempt number `attempts + 1` (attempts ≥ 1 have been made).
    public func delay(afterAttempts attempts: Int, serverHint: Duration?,
                      using random: inout some RandomNumberGenerator) -> Duration {
        let exponent = min(max(attempts - 1, 0), 20)
        let ceiling = min(base * (1 << exponent), cap)
        let milliseconds = ceiling.components.seconds * 1000 + ceiling.components.attoseconds / 1_000_000_000_000_000
        let jittered = Duration.milliseconds(Int64.random(in: (milliseconds / 2)...max(milliseconds, 1), using: &random))
        guard let serverHint else { return jittered }
        return max(jittered, serverHint)
    }
}
