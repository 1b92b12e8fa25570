/// Back-pressure between the consumer thread and the shards' rings. When a shard's ring cannot
/// take all of its messages, the rest wait in a bounded backlog and the shard's partitions are
/// paused, so the consumer keeps polling the other shards' partitions; once the backlog has
/// drained into the ring they are resumed. Nothing is dropped, and memory stays bounded by
/// ring + backlog.
///
/// A value-type state machine: the consumer thread reports each shard's backlog after routing
/// a batch and after draining, and performs the returned action. It performs no I/O.
public struct ShardFlowControl: Sendable {
    public enum Action: Equatable, Sendable {
        case pause(shard: Int)
        case resume(shard: Int)
    }

    private var paused: [Bool]

    public init(shards: Int) {
        paused = Array(repeating: false, count: shards)
    }

    public func isPaused(_ shard: Int) -> Bool { paused[shard] }

    /// `waiting` messages of `shard` are in its backlog, waiting for ring space.
    public mutating func backlog(_ waiting: Int, shard: Int) -> Action? {
        switch (waiting > 0, paused[shard]) {
        case (true, false):
            paused[shard] = true
            return .pause(shard: shard)
        case (false, true):
            paused[shard] = false
            return .resume(shard: shard)
        default:
            return nil
        }
    }
}
