/// An instant on the UTC time line with nanosecond precision, as fixed by an event's `time`.
///
/// Invariant: `nanoseconds` is in `0 ..< 1_000_000_000`, so the pair orders like the instant
/// it denotes (`seconds` first, then `nanoseconds`). Leap seconds do not exist on this time
/// line (RFC 3339 `:60` is rejected when parsing). Value type, thread-safe.
public struct EventTime: Hashable, Comparable, Sendable {
    /// Whole seconds since 1970-01-01T00:00:00Z, negative before.
    public var seconds: Int64
    /// The fraction of the second, `0 ..< 1_000_000_000`.
    public var nanoseconds: Int32

    /// - Precondition: `nanoseconds` is in `0 ..< 1_000_000_000`.
    public init(seconds: Int64, nanoseconds: Int32 = 0) {
        precondition((0..<EventTime.nanosecondsPerSecond).contains(nanoseconds),
                     "EventTime.nanoseconds must be in 0..<1_000_000_000, got \(nanoseconds)")
        self.seconds = seconds
        self.nanoseconds = nanoseconds
    }

    public static func < (lhs: EventTime, rhs: EventTime) -> Bool {
        lhs.seconds != rhs.seconds ? lhs.seconds < rhs.seconds : lhs.nanoseconds < rhs.nanoseconds
    }

    static let nanosecondsPerSecond: Int32 = 1_000_000_000
}

extension EventTime: CustomStringConvertible {
    /// RFC 3339 in UTC, e.g. `2026-11-05T10:00:00.123Z`.
    public var description: String { RFC3339.format(self) }
}
