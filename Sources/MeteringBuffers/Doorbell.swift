import Dispatch
import Synchronization

/// Lets one thread sleep while it has nothing to do, and others wake it when that changes.
///
/// The sleeper announces itself, checks once more whether work arrived, and only then waits on
/// a semaphore (with a timeout, so a wake-up it was not told about still comes). A ringer that
/// finds the sleeper announced takes the announcement back and signals; only the one that takes
/// it back signals, so every signal is consumed and the semaphore's count never drifts.
///
/// Why not poll: a shard thread with an empty ring used to sleep 50 µs at a time. On a 2-core
/// VM each of those wake-ups is a timer interrupt and a context switch, taken from the consumer
/// thread that was about to fill the ring.
///
/// One sleeper at a time; any number of ringers. Ringing costs a fence and a load while the
/// sleeper is awake.
public final class Doorbell: Sendable {
    private let sleeping = Atomic<Bool>(false)
    private let bell = DispatchSemaphore(value: 0)

    public init() {}

    /// Wakes the sleeper, if it sleeps or is about to. Call after publishing the work (e.g.
    /// after pushing into a ring).
    public func ring() {
        // Orders the caller's publication before the load (a store-load pair, as in the
        // sleeper's announce-then-check): without it a ringer could miss an announcement
        // while the sleeper misses the work.
        atomicMemoryFence(ordering: .sequentiallyConsistent)
        guard sleeping.load(ordering: .relaxed) else { return }
        if sleeping.exchange(false, ordering: .acquiringAndReleasing) { bell.signal() }
    }

    /// Sleeps until rung or `timeout` passed, unless `hasWork` (checked after the announcement)
    /// says there is something to do already. The sleeper's thread only.
    public func sleep(timeoutNanoseconds: Int, unless hasWork: () -> Bool) {
        sleeping.store(true, ordering: .sequentiallyConsistent)
        if hasWork() {
            withdraw()
            return
        }
        if bell.wait(timeout: .now() + .nanoseconds(timeoutNanoseconds)) == .timedOut { withdraw() }
    }

    /// Takes the announcement back; if a ringer took it first, its signal is on the way:
    /// consume it.
    private func withdraw() {
        if !sleeping.exchange(false, ordering: .acquiringAndReleasing) { bell.wait() }
    }
}
