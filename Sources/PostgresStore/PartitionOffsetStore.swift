public import Logging
public import PostgresNIO

/// Where a consumer resumes a partition, and the fencing epoch of its current owner.
public struct PartitionClaim: Sendable, Hashable {
    /// The offset of the next message to consume (0 for a partition never flushed).
    public var nextOffset: Int64
    /// Incremented by every claim; a flush must carry the epoch of the claim it works under.
    public var epoch: Int64

    public init(nextOffset: Int64, epoch: Int64) {
        self.nextOffset = nextOffset
        self.epoch = epoch
    }
}

/// Ownership of Kafka partitions as recorded in `consumer_offsets`, the source of truth for offsets (DESIGN §5).
///
/// `claim` is what a consumer does on assignment: it bumps each partition's epoch, which fences out any previous
/// owner's later flushes, and returns the offsets to seek to. A claim waits for an in-flight flush of the same
/// partitions (the flush holds their row locks), so it always returns the offsets that flush committed.
/// Stateless apart from the client, thread-safe.
public struct PartitionOffsetStore: Sendable {
    private let client: PostgresClient
    private let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Takes ownership of `partitions` for `owner` in one statement: a partition seen for the first time starts at
    /// offset 0 with epoch 1; a known one keeps its offset and gets epoch + 1.
    public func claim(group: String, topic: String, partitions: [Int32], owner: String) async throws -> [Int32: PartitionClaim] {
        let unique = Array(Set(partitions)).sorted()
        guard !unique.isEmpty else { return [:] }
        return try await client.withStoreConnection("claim partitions \(unique) of \(topic)") { connection in
            let rows = try await connection.query("""
                INSERT INTO consumer_offsets AS o (group_id, topic, partition, next_offset, epoch, owner)
                SELECT \(group), \(topic), p, 0, 1, \(owner) FROM unnest(\(unique)::integer[]) AS p
                ON CONFLICT (group_id, topic, partition) DO UPDATE
                  SET epoch = o.epoch + 1, owner = EXCLUDED.owner, updated_at = now()
                RETURNING partition, next_offset, epoch
                """, logger: logger)
            return try await Self.claims(from: rows)
        }
    }

    /// The recorded offset and epoch of every partition of `topic` for `group`.
    public func read(group: String, topic: String) async throws -> [Int32: PartitionClaim] {
        try await client.withStoreConnection("read offsets of \(topic)") { connection in
            let rows = try await connection.query("""
                SELECT partition, next_offset, epoch FROM consumer_offsets
                WHERE group_id = \(group) AND topic = \(topic)
                """, logger: logger)
            return try await Self.claims(from: rows)
        }
    }

    private static func claims(from rows: PostgresRowSequence) async throws -> [Int32: PartitionClaim] {
        var claims: [Int32: PartitionClaim] = [:]
        for try await (partition, nextOffset, epoch) in rows.decode((Int32, Int64, Int64).self) {
            claims[partition] = PartitionClaim(nextOffset: nextOffset, epoch: epoch)
        }
        return claims
    }
}
