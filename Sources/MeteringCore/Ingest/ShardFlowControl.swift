/// Back-pressure between the consumer thread and the shards' rings. What a shard's ring cannot
/// take waits in the shard's bounded backlog. A shard whose backlog reaches `highWater` has its
/// partitions paused at once, and so has a shard that takes nothing from a waiting backlog for
/// `patience` (its window is full and waits for the flusher, a large hand-off, a stuck shard);
/// they are resumed once the backlog has drained. The consumer thread meanwhile keeps polling
/// the other shards' partitions. Nothing is dropped, and memory stays bounded by ring + backlog.
///
/// Why pause rather than let the consumer thread wait for the ring: a consumer that stops
/// polling lets librdkafka's queue fill, and librdkafka (2.0, Debian 12's) then stops fetching
/// EVERY partition until its broker thread next wakes, up to a second later, even after the
/// queue has drained (newer versions back off for `fetch.queue.backoff.ms`, by default also a
/// second). In `bench`'s (d) the shards, slowed by each flush, left the consumer waiting and
/// then found nothing fetched for 0.4–0.6 s at a time: a quarter of both cores idle. A pause
/// costs a little instead: librdkafka purges the paused partitions' pre-fetched messages and
/// fetches (and decompresses) them again after the resume (confluentinc/librdkafka#5343),
/// about 6% more messages fetched in (d).
///
/// A value-type state machine over an injected clock's instants: the consumer thread reports
/// each shard's backlog after routing a batch and while it waits, and performs the returned
/// action. It performs no I/O.
public struct ShardFlowControl<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    public enum Action: Equatable, Sendable {
        case pause(shard: Int)
        case resume(shard: Int)
    }

    /// How long a shard may take nothing from its waiting backlog before it is paused.
    public let patience: Duration
    /// A backlog this long pauses its shard at once.
    public let highWater: Int
    private var paused: [Bool]
    /// When each shard last took messages from its backlog, or had none waiting.
    private var progressed: [Instant]

    public init(shards: Int, highWater: Int, patience: Duration = .milliseconds(250), now: Instant) {
        self.patience = patience
        self.highWater = highWater
        paused = Array(repeating: false, count: shards)
        progressed = Array(repeating: now, count: shards)
    }

    public func isPaused(_ shard: Int) -> Bool { paused[shard] }

    /// `waiting` messages of `shard` are in its backlog, after its ring took `took` of them.
    public mutating func backlog(_ waiting: Int, took: Int, shard: Int, now: Instant) -> Action? {
        if waiting == 0 || took > 0 { progressed[shard] = now }
        if waiting == 0 {
            guard paused[shard] else { return nil }
            paused[shard] = false
            return .resume(shard: shard)
        }
        guard !paused[shard], waiting >= highWater || progressed[shard].duration(to: now) >= patience else { return nil }
        paused[shard] = true
        return .pause(shard: shard)
    }
}
