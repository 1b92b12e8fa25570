/// The offset a flush moves one partition to, under the epoch of the claim its owner holds.
public struct PartitionOffset: Sendable, Hashable {
    public var partition: Int32
    /// The offset of the next message to consume once this flush is committed.
    public var nextOffset: Int64
    /// The epoch returned by `PartitionOffsetStore.claim`; a newer claim by anyone fences this flush.
    public var epoch: Int64
    /// The greatest Kafka append time (Unix ms) of the messages this batch read from the
    /// partition, if known: the arrival watermark that close readiness uses (DESIGN §6).
    public var coveredAppendMilliseconds: Int64?

    public init(partition: Int32, nextOffset: Int64, epoch: Int64, coveredAppendMilliseconds: Int64? = nil) {
        self.partition = partition
        self.nextOffset = nextOffset
        self.epoch = epoch
        self.coveredAppendMilliseconds = coveredAppendMilliseconds
    }
}

/// How often a flush records a partition's (next offset, covered append time) in
/// `partition_checkpoints`, and how long those rows are kept: what rebuilding a dedup window
/// on assignment needs (DESIGN §5), at one row per partition per `every`, not per flush.
public struct CheckpointCadence: Sendable, Hashable {
    public var everyMilliseconds: Int64
    public var retainMilliseconds: Int64

    public init(everyMilliseconds: Int64, retainMilliseconds: Int64) {
        self.everyMilliseconds = everyMilliseconds
        self.retainMilliseconds = retainMilliseconds
    }
}

/// Where an event sits in time and in the log: the order LATEST uses (greatest time wins, ties go to the
/// greater partition, then offset).
public struct EventPosition: Sendable, Hashable, Comparable {
    public var timeSeconds: Int64
    /// Nanoseconds within the second, 0...999_999_999.
    public var timeNanos: Int32
    public var partition: Int32
    public var offset: Int64

    public init(timeSeconds: Int64, timeNanos: Int32, partition: Int32, offset: Int64) {
        self.timeSeconds = timeSeconds
        self.timeNanos = timeNanos
        self.partition = partition
        self.offset = offset
    }

    public static func < (lhs: EventPosition, rhs: EventPosition) -> Bool {
        (lhs.timeSeconds, lhs.timeNanos, lhs.partition, lhs.offset)
            < (rhs.timeSeconds, rhs.timeNanos, rhs.partition, rhs.offset)
    }
}

/// The LATEST candidate of a delta: the quantity (exact decimal text) of the event at `position`.
public struct LatestSample: Sendable, Hashable {
    public var value: String
    public var position: EventPosition

    public init(value: String, position: EventPosition) {
        self.value = value
        self.position = position
    }
}

/// Everything one flush commits atomically: the totals deltas, the UNIQUE_COUNT members, and the offsets the
/// shard's partitions move to. Value type.
public struct FlushBatch: Sendable {
    public var group: String
    public var topic: String
    public var offsets: [PartitionOffset]
    public var totals: TotalsCopyRows
    public var uniqueValues: UniqueValueCopyRows
    /// Dedup checkpoints to record with the offsets; nil records none (dedup off).
    public var checkpoints: CheckpointCadence?
    /// Partition → the offsets this batch dead-lettered (recorded only with `checkpoints`).
    public var deadLettered: [Int32: [Int64]] = [:]

    public init(group: String, topic: String, offsets: [PartitionOffset],
                totals: TotalsCopyRows = TotalsCopyRows(), uniqueValues: UniqueValueCopyRows = UniqueValueCopyRows(),
                checkpoints: CheckpointCadence? = nil) {
        self.group = group
        self.topic = topic
        self.offsets = offsets
        self.totals = totals
        self.uniqueValues = uniqueValues
        self.checkpoints = checkpoints
    }
}

/// Why a flush wrote nothing.
public enum FlushError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Another owner claimed these partitions after this batch's claim (their epoch moved on).
    case fenced(partitions: [Int32])
    /// These partitions were never claimed for the batch's group and topic.
    case unclaimed(partitions: [Int32])
    /// The batch lists a partition more than once.
    case duplicatePartition(Int32)

    public var description: String {
        switch self {
        case .fenced(let partitions):
            return "flush refused: partitions \(partitions) were claimed by another owner since this batch's claim; "
                + "discard its deltas and re-read the offsets"
        case .unclaimed(let partitions):
            return "flush refused: partitions \(partitions) were never claimed; call PartitionOffsetStore.claim first"
        case .duplicatePartition(let partition):
            return "flush refused: partition \(partition) appears twice in the batch's offsets; merge them first"
        }
    }
}
