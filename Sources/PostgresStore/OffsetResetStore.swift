public import Logging
public import MeteringCore
public import PostgresNIO

/// What `odometer offsets reset` changed.
public struct OffsetReset: Sendable, Hashable {
    public var partition: Int32
    /// The stored next offset before (nil: the partition was never claimed).
    public var from: Int64?
    public var to: Int64
    /// The epoch after the reset; any owner holding an older one is fenced.
    public var epoch: Int64
    /// The row of the decision in `offset_resets`.
    public var recordID: Int64
}

/// An operator's decision about where a partition resumes (DESIGN §5), applied and recorded in
/// one transaction: the stored next offset moves, the epoch is bumped (so a running owner's next
/// flush is fenced and it restarts from here), the arrival watermark is cleared (the offsets it
/// covered changed), and `offset_resets` keeps who asked for what, and the log range then.
/// Stateless apart from the client; thread-safe.
public struct OffsetResetStore: Sendable {
    private let client: PostgresClient
    private let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    public func reset(group: String, topic: String, partition: Int32, to offset: Int64, requested: String,
                      log: LogRange, by person: String) async throws -> OffsetReset {
        try await client.inTransaction("reset the offset of partition \(partition) of \(topic)", logger: logger) { connection in
            var previous: Int64?
            for try await next in try await connection.checkedQuery("""
                SELECT next_offset FROM consumer_offsets
                WHERE group_id = \(group) AND topic = \(topic) AND partition = \(partition) FOR UPDATE
                """, logger: logger).decode(Int64.self) { previous = next }
            let owner = "offsets reset by \(person)"
            var epoch: Int64 = 1
            for try await value in try await connection.checkedQuery("""
                INSERT INTO consumer_offsets AS o (group_id, topic, partition, next_offset, epoch, owner)
                VALUES (\(group), \(topic), \(partition), \(offset), 1, \(owner))
                ON CONFLICT (group_id, topic, partition) DO UPDATE
                  SET next_offset = EXCLUDED.next_offset, epoch = o.epoch + 1, owner = EXCLUDED.owner,
                      covered_append_ms = NULL, updated_at = now()
                RETURNING epoch
                """, logger: logger).decode(Int64.self) { epoch = value }
            var record: Int64 = 0
            for try await id in try await connection.checkedQuery("""
                INSERT INTO offset_resets (group_id, topic, partition, from_offset, to_offset, requested,
                                           log_low, log_high, reset_by)
                VALUES (\(group), \(topic), \(partition), \(previous), \(offset), \(requested),
                        \(log.low), \(log.high), \(person))
                RETURNING id
                """, logger: logger).decode(Int64.self) { record = id }
            return OffsetReset(partition: partition, from: previous, to: offset, epoch: epoch, recordID: record)
        }
    }
}
