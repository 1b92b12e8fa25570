/// Where metering starts in each partition of the current assignment, told by the consumer
/// thread to the shard threads: messages below `meterFrom` are already in the totals and are
/// read again only to rebuild the dedup window (DESIGN §5). `assignment` changes with every
/// assignment of the partition, so a shard knows to forget the window it held for it.
///
/// One fixed array indexed by partition number (at most `capacity` partitions).
final class PartitionBoundaries: @unchecked Sendable {
    // @unchecked Sendable is safe: the consumer thread writes a partition's entry in
    // `partitionsAssigned`, before librdkafka can deliver any message of that assignment, and
    // the shard thread reads it only after popping such a message from its SPSC ring, whose
    // releasing push and acquiring pop order the write before the read. A partition is never
    // re-assigned before the shards have metered everything of its previous assignment (the
    // revocation waits for that), so no read overlaps a write of the same entry.
    struct Boundary {
        var assignment: Int64
        var meterFrom: Int64
        /// Offsets below `meterFrom` that were dead-lettered: the window rebuild skips them.
        var deadLettered: [Int64]
        /// Messages from where fetching starts to the log's end at the assignment: about how
        /// many ids the partition's dedup window will hold once it has read them (its size hint).
        var messagesToEnd: Int64
    }

    static let capacity = 65_536
    private let entries: UnsafeMutablePointer<Boundary>
    private var assignments: Int64 = 0

    init() {
        entries = .allocate(capacity: Self.capacity)
        entries.initialize(repeating: Boundary(assignment: 0, meterFrom: 0, deadLettered: [], messagesToEnd: 0), count: Self.capacity)
    }

    deinit {
        entries.deinitialize(count: Self.capacity)
        entries.deallocate()
    }

    /// Consumer thread: `partition` is assigned and meters from `meterFrom`.
    func assign(_ partition: Int32, meterFrom: Int64, deadLettered: [Int64] = [], messagesToEnd: Int64 = 0) throws(PipelineError) {
        guard partition >= 0, Int(partition) < Self.capacity else { throw .tooManyPartitions(partition) }
        assignments += 1
        entries[Int(partition)] = Boundary(assignment: assignments, meterFrom: meterFrom, deadLettered: deadLettered,
                                           messagesToEnd: messagesToEnd)
    }

    /// Shard thread: the assignment and start of a partition whose message it just popped (read
    /// per message, so it copies no array).
    @inline(__always)
    func start(of partition: Int32) -> (assignment: Int64, meterFrom: Int64) {
        (entries[Int(partition)].assignment, entries[Int(partition)].meterFrom)
    }

    /// Shard thread: what the window rebuild of `partition` must skip (read once per assignment).
    func deadLettered(_ partition: Int32) -> [Int64] { entries[Int(partition)].deadLettered }

    /// Shard thread: the messages from the fetch start to the log's end at the assignment.
    func messagesToEnd(_ partition: Int32) -> Int64 { entries[Int(partition)].messagesToEnd }
}
