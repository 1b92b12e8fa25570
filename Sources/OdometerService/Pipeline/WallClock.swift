import Foundation

/// Wall-clock time in Unix milliseconds, injected where the pipeline compares with Kafka's
/// append times (dedup windows, commit latency); tests may pin it.
public struct WallClock: Sendable {
    public var unixMilliseconds: @Sendable () -> Int64

    public init(unixMilliseconds: @escaping @Sendable () -> Int64) {
        self.unixMilliseconds = unixMilliseconds
    }

    /// The system's clock.
    public static let system = WallClock { Int64(Date().timeIntervalSince1970 * 1000) }
}
