import Synchronization

/// A clock that moves only when told: `advance(by:)`, or a sleep, which jumps to its deadline
/// at once (virtual time). Instants are `ContinuousClock`'s, so the pacing types take them.
final class ManualClock: Clock, Sendable {
    typealias Instant = ContinuousClock.Instant
    private let current: Mutex<Instant>

    init(start: Instant = .now) { current = Mutex(start) }

    var now: Instant { current.withLock { $0 } }
    var minimumResolution: Duration { .nanoseconds(1) }

    func advance(by duration: Duration) {
        current.withLock { $0 = $0.advanced(by: duration) }
    }

    func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        try Task.checkCancellation()
        current.withLock { $0 = max($0, deadline) }
    }
}
