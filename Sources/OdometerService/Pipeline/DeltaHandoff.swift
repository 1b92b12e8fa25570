import MeteringBuffers
import MeteringCore
import Synchronization

/// The lock-free hand-off of one shard's deltas to the flusher.
///
/// The flusher asks by bumping `requested`; the shard thread, between batches, drains its
/// aggregator into `delta` and then publishes `served = requested` with a releasing store.
/// The flusher reads `delta` only after an acquiring load sees `served` catch up, and asks
/// again only after it has taken the delta, so the two never touch `delta` at once.
final class DeltaHandoff: @unchecked Sendable {
    // @unchecked Sendable is safe: `delta` is written only by the shard thread between its
    // acquiring load of `requested` and its releasing store of `served`, and read only by the
    // single flusher after an acquiring load of `served` equal to its own request, before it
    // bumps `requested` again (flushes are serialized by FlushCoordinator).
    private let requested = Atomic<UInt64>(0)
    /// The shard's: a request wakes it.
    private let doorbell: Doorbell
    private let served = Atomic<UInt64>(0)
    private var delta = ShardDelta()

    init(doorbell: Doorbell) {
        self.doorbell = doorbell
    }

    /// Keys and messages waiting in the shard, published after each batch (a hint for the
    /// flush policy; relaxed is enough).
    let pendingKeys = Atomic<Int>(0)
    let pendingMessages = Atomic<Int>(0)

    // MARK: shard side

    /// Whether the flusher is waiting for a delta.
    @inline(__always)
    var isRequested: Bool { requested.load(ordering: .acquiring) != served.load(ordering: .relaxed) }

    /// Publishes the shard's delta for the outstanding request.
    func serve(_ produce: () -> ShardDelta) {
        let ticket = requested.load(ordering: .acquiring)
        delta = produce()
        served.store(ticket, ordering: .releasing)
    }

    // MARK: flusher side

    /// Asks for a delta; returns the ticket to wait for.
    func request() -> UInt64 {
        let ticket = requested.add(1, ordering: .releasing).newValue
        doorbell.ring()
        return ticket
    }

    /// The delta for `ticket`, once the shard has served it; nil while it has not.
    func take(_ ticket: UInt64) -> ShardDelta? {
        guard served.load(ordering: .acquiring) >= ticket else { return nil }
        let taken = delta
        delta = ShardDelta()
        return taken
    }
}
