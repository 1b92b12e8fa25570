/// Which partitions this instance owns, at which epoch, as granted by Postgres.
///
/// A value-type state machine (no I/O): the consumer's rebalance callbacks feed it claims and
/// revocations; the flusher asks it to stamp each partition's next offset with the epoch it
/// holds, and the store refuses a flush whose epoch is no longer current (fencing, DESIGN §5).
/// Progress for a partition this instance does not own is a programming error surfaced as
/// `OwnershipError`, never written, because offsets without ownership could double count.
public struct PartitionOwnership: Sendable, Equatable {
    /// The claim Postgres granted for one partition.
    public struct Claim: Hashable, Sendable {
        public var nextOffset: Int64
        public var epoch: Int64
        public init(nextOffset: Int64, epoch: Int64) {
            self.nextOffset = nextOffset
            self.epoch = epoch
        }
    }

    /// One partition's next offset, stamped with the epoch that may write it.
    public struct FencedOffset: Hashable, Sendable {
        public var partition: Int32
        public var nextOffset: Int64
        public var epoch: Int64
    }

    public private(set) var epochs: [Int32: Int64] = [:]

    public init() {}

    /// Records the claims of newly assigned partitions; returns where to start reading each.
    public mutating func assigned(_ claims: [Int32: Claim]) -> [Int32: Int64] {
        var starts: [Int32: Int64] = [:]
        for (partition, claim) in claims {
            epochs[partition] = claim.epoch
            starts[partition] = claim.nextOffset
        }
        return starts
    }

    /// Forgets revoked partitions (after their last flush).
    public mutating func revoked(_ partitions: [Int32]) {
        for partition in partitions { epochs[partition] = nil }
    }

    /// Stamps progress with epochs, sorted by partition.
    public func fence(_ progress: [Int32: Int64]) throws(OwnershipError) -> [FencedOffset] {
        var offsets: [FencedOffset] = []
        for (partition, next) in progress {
            guard let epoch = epochs[partition] else { throw .progressWithoutOwnership(partition: partition) }
            offsets.append(FencedOffset(partition: partition, nextOffset: next, epoch: epoch))
        }
        return offsets.sorted { $0.partition < $1.partition }
    }

    public var ownedPartitions: [Int32] { epochs.keys.sorted() }
}

public enum OwnershipError: Error, Hashable, Sendable, CustomStringConvertible {
    case progressWithoutOwnership(partition: Int32)

    public var description: String {
        switch self {
        case .progressWithoutOwnership(let partition):
            "read partition \(partition) without owning it; refusing to write its offset (this is a bug)"
        }
    }
}
