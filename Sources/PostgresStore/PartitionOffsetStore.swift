public import Logging
public import MeteringCore
public import PostgresNIO

/// Where a consumer resumes a partition, and the fencing epoch of its current owner.
public struct PartitionClaim: Sendable, Hashable {
    /// The offset of the next message to consume (the log start for a partition never claimed).
    public var nextOffset: Int64
    /// Incremented by every claim; a flush must carry the epoch of the claim it works under.
    public var epoch: Int64

    public init(nextOffset: Int64, epoch: Int64) {
        self.nextOffset = nextOffset
        self.epoch = epoch
    }
}

/// One partition's row of `consumer_offsets`, as `odometer offsets` shows it.
public struct StoredPartitionOffset: Sendable, Hashable {
    public var partition: Int32
    public var nextOffset: Int64
    public var epoch: Int64
    public var owner: String
    /// The greatest Kafka append time (Unix ms) below `nextOffset`, once a flush recorded one.
    public var coveredAppendMilliseconds: Int64?
    /// When the row last changed, as Unix seconds.
    public var updatedAtSeconds: Int64
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
    /// its log start (`logStarts`, 0 if absent) with epoch 1; a known one keeps its offset and gets epoch + 1.
    ///
    /// With `dedupWindowStart` (Unix ms: now minus the dedup window and one generation), each claim also says
    /// where re-reading must begin to rebuild the window: the newest checkpoint older than it, the log's
    /// beginning when there is none, or the stored offset itself when everything before it is older; and the
    /// offsets that were dead-lettered, which the rebuild must not remember.
    /// How long a claim waits: longer than a flush statement may run (30 s) plus an idle session's life (15 s).
    static let claimTimeout = "60s"

    public func claim(group: String, topic: String, partitions: [Int32], owner: String,
                      logStarts: [Int32: Int64] = [:], dedupWindowStart: Int64? = nil) async throws -> [Int32: StoredClaim] {
        let unique = Array(Set(partitions)).sorted()
        guard !unique.isEmpty else { return [:] }
        let starts = unique.map { logStarts[$0] ?? 0 }
        let windowStart = dedupWindowStart ?? Int64.min
        return try await client.inTransaction("claim partitions \(unique) of \(topic)", logger: logger) { connection in
            // A claim waits for a previous owner's flush of these partitions (its row locks); that
            // ends within the flush's own bounds, so a claim waiting longer fails instead of hanging.
            try await connection.checkedQuery(PostgresQuery(unsafeSQL: "SET LOCAL statement_timeout = '\(Self.claimTimeout)'"),
                                              logger: logger)
            let rows = try await connection.checkedQuery("""
                WITH claimed AS (
                  INSERT INTO consumer_offsets AS o (group_id, topic, partition, next_offset, epoch, owner)
                  SELECT \(group), \(topic), p.partition, p.log_start, 1, \(owner)
                  FROM unnest(\(unique)::integer[], \(starts)::bigint[]) AS p(partition, log_start)
                  ON CONFLICT (group_id, topic, partition) DO UPDATE
                    SET epoch = o.epoch + 1, owner = EXCLUDED.owner, updated_at = now()
                  RETURNING partition, next_offset, epoch, covered_append_ms)
                SELECT c.partition, c.next_offset, c.epoch,
                  CASE WHEN \(windowStart) = \(Int64.min) THEN NULL
                       WHEN c.covered_append_ms IS NOT NULL AND c.covered_append_ms < \(windowStart) THEN c.next_offset
                       ELSE coalesce((SELECT k.next_offset FROM partition_checkpoints k
                                      WHERE k.group_id = \(group) AND k.topic = \(topic) AND k.partition = c.partition
                                        AND k.covered_append_ms < \(windowStart) AND k.next_offset <= c.next_offset
                                      ORDER BY k.next_offset DESC LIMIT 1), 0)
                  END
                FROM claimed c
                """, logger: logger)
            var claims: [Int32: StoredClaim] = [:]
            for try await (partition, nextOffset, epoch, dedupFrom) in rows.decode((Int32, Int64, Int64, Int64?).self) {
                claims[partition] = StoredClaim(nextOffset: nextOffset, epoch: epoch, dedupFrom: dedupFrom)
            }
            guard dedupWindowStart != nil else { return claims }
            for try await (partition, offsets) in try await connection.checkedQuery("""
                SELECT partition, array_agg("offset" ORDER BY "offset") FROM dead_lettered_offsets
                WHERE group_id = \(group) AND topic = \(topic) AND partition = ANY(\(unique)::integer[])
                GROUP BY partition
                """, logger: logger).decode((Int32, [Int64]).self) {
                claims[partition]?.deadLettered = offsets
            }
            return claims
        }
    }

    /// The recorded offset and epoch of every partition of `topic` for `group`.
    public func read(group: String, topic: String) async throws -> [Int32: PartitionClaim] {
        try await rows(group: group, topic: topic).mapValues { PartitionClaim(nextOffset: $0.nextOffset, epoch: $0.epoch) }
    }

    /// Every partition's row of `topic` for `group`.
    public func rows(group: String, topic: String) async throws -> [Int32: StoredPartitionOffset] {
        try await client.withStoreConnection("read offsets of \(topic)") { connection in
            let rows = try await connection.checkedQuery("""
                SELECT partition, next_offset, epoch, owner, covered_append_ms, extract(epoch FROM updated_at)::bigint
                FROM consumer_offsets WHERE group_id = \(group) AND topic = \(topic)
                """, logger: logger)
            var result: [Int32: StoredPartitionOffset] = [:]
            for try await (partition, next, epoch, owner, covered, updated) in
                rows.decode((Int32, Int64, Int64, String, Int64?, Int64).self) {
                result[partition] = StoredPartitionOffset(partition: partition, nextOffset: next, epoch: epoch, owner: owner,
                                                          coveredAppendMilliseconds: covered, updatedAtSeconds: updated)
            }
            return result
        }
    }
}
