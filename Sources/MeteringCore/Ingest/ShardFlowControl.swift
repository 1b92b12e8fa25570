/// Back-pressure between the consumer thread and the shards' rings. What a shard's ring cannot
/// take waits in the shard's bounded backlog; when that is full, the consumer thread waits for
/// the ring, so it stops polling and librdkafka stops fetching once its own bounded queue is
/// full. Only a shard that takes nothing from a waiting backlog for `patience` (its window is
/// full and waits for the flusher, a large hand-off, a stuck shard) has its partitions paused,
/// so the consumer thread polls the other shards' partitions again; they are resumed once the
/// backlog has drained. Nothing is dropped, and memory stays bounded by ring + backlog.
///
/// Pausing is the exception, not the rule, because librdkafka purges a paused partition's
/// pre-fetched messages and fetches (and decompresses) them again after the resume
/// (confluentinc/librdkafka#5343). A shard a little slower than the consumer is throttled by
/// the wait alone.
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
    private var paused: [Bool]
    /// When each shard last took messages from its backlog, or had none waiting.
    private var progressed: [Instant]

    public init(shards: Int, patience: Duration = .milliseconds(250), now: Instant) {
        self.patience = patience
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
        guard !paused[shard], progressed[shard].duration(to: now) >= patience else { return nil }
        paused[shard] = true
        return .pause(shard: shard)
    }
}
