public import Logging
public import PostgresNIO

/// Commits a `FlushBatch`: totals deltas, UNIQUE_COUNT members and partition offsets in ONE transaction, so
/// each event counts exactly once through crashes and rebalances (DESIGN §5).
///
/// Order inside the transaction: lock the batch's offset rows and check their epochs (fencing), COPY the
/// totals into a session-local staging table and merge them with one upsert (grouping rows of the same key
/// first unless the rows promise unique keys), the same for unique values, then
/// move every partition's next offset. If any partition was claimed by someone else, nothing is written and
/// `FlushError.fenced` is thrown. Stateless apart from the client; thread-safe, and several writers may flush
/// concurrently (row locks are taken in partition order).
public struct TotalsFlushWriter: Sendable {
    private let client: PostgresClient
    private let logger: Logger
    /// COPY data goes out in messages of at most this many bytes, so a large batch streams with back-pressure.
    private static let copyChunkBytes = 1 << 20

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    public func flush(_ batch: FlushBatch) async throws {
        let expected = try Self.expectedEpochs(batch.offsets)
        let clock = ContinuousClock()
        let started = clock.now
        var copied = started
        var merged = started
        try await client.inTransaction("flush \(batch.totals.count) totals rows of \(batch.topic)", logger: logger) { connection in
            try await fence(batch, expected: expected, on: connection)
            if !batch.totals.isEmpty {
                try await connection.query(PostgresQuery(unsafeSQL: FlushStatements.createTotalsStaging), logger: logger)
                try await copy(batch.totals.text, into: FlushStatements.totalsStaging,
                               columns: TotalsCopyRows.columns, on: connection)
                copied = clock.now
                try await connection.query(PostgresQuery(unsafeSQL: FlushStatements.workMemory), logger: logger)
                let merge = batch.totals.keysAreUnique ? FlushStatements.mergeUniqueTotals : FlushStatements.mergeGroupedTotals
                try await connection.query(PostgresQuery(unsafeSQL: merge), logger: logger)
                merged = clock.now
            }
            if !batch.uniqueValues.isEmpty {
                try await connection.query(PostgresQuery(unsafeSQL: FlushStatements.createUniqueStaging), logger: logger)
                try await copy(batch.uniqueValues.text, into: FlushStatements.uniqueStaging,
                               columns: UniqueValueCopyRows.columns, on: connection)
                try await connection.query(PostgresQuery(unsafeSQL: FlushStatements.mergeUniqueValues), logger: logger)
            }
            try await moveOffsets(batch, on: connection)
        }
        logger.debug("flushed", metadata: ["topic": "\(batch.topic)", "totals": "\(batch.totals.count)",
                                           "uniqueValues": "\(batch.uniqueValues.count)",
                                           "partitions": "\(batch.offsets.count)",
                                           "stagedMs": "\(started.duration(to: copied).wholeMilliseconds)",
                                           "mergeMs": "\(copied.duration(to: merged).wholeMilliseconds)",
                                           "totalMs": "\(started.duration(to: clock.now).wholeMilliseconds)"])
    }

    /// Locks the offset rows in partition order and throws unless every epoch is the batch's.
    private func fence(_ batch: FlushBatch, expected: [Int32: Int64], on connection: PostgresConnection) async throws {
        guard !expected.isEmpty else { return }
        let partitions = expected.keys.sorted()
        let rows = try await connection.query("""
            SELECT partition, epoch FROM consumer_offsets
            WHERE group_id = \(batch.group) AND topic = \(batch.topic) AND partition = ANY(\(partitions)::integer[])
            ORDER BY partition
            FOR UPDATE
            """, logger: logger)
        var stored: [Int32: Int64] = [:]
        for try await (partition, epoch) in rows.decode((Int32, Int64).self) { stored[partition] = epoch }
        let unclaimed = partitions.filter { stored[$0] == nil }
        if !unclaimed.isEmpty { throw FlushError.unclaimed(partitions: unclaimed) }
        let fenced = partitions.filter { stored[$0] != expected[$0] }
        if !fenced.isEmpty { throw FlushError.fenced(partitions: fenced) }
    }

    private func copy(_ rows: CopyTextBuffer, into table: String, columns: [String],
                      on connection: PostgresConnection) async throws {
        try await connection.copyFrom(table: table, columns: columns, format: .text(.init()), logger: logger) { writer in
            try await rows.forEachChunk(ofAtMost: Self.copyChunkBytes) { try await writer.write($0) }
        }
    }

    private func moveOffsets(_ batch: FlushBatch, on connection: PostgresConnection) async throws {
        guard !batch.offsets.isEmpty else { return }
        let partitions = batch.offsets.map(\.partition)
        let nextOffsets = batch.offsets.map(\.nextOffset)
        // postgres-nio binds no arrays of optionals: Int64.min stands for "no event metered".
        let eventTimes = batch.offsets.map { $0.latestEventSeconds ?? .min }
        try await connection.query("""
            UPDATE consumer_offsets AS o SET next_offset = u.next_offset, updated_at = now(),
              latest_event_time_s = greatest(o.latest_event_time_s, nullif(u.event_time_s, \(Int64.min)))
            FROM unnest(\(partitions)::integer[], \(nextOffsets)::bigint[], \(eventTimes)::bigint[])
              AS u(partition, next_offset, event_time_s)
            WHERE o.group_id = \(batch.group) AND o.topic = \(batch.topic) AND o.partition = u.partition
            """, logger: logger)
    }

    private static func expectedEpochs(_ offsets: [PartitionOffset]) throws -> [Int32: Int64] {
        var epochs: [Int32: Int64] = [:]
        for offset in offsets {
            guard epochs.updateValue(offset.epoch, forKey: offset.partition) == nil else {
                throw FlushError.duplicatePartition(offset.partition)
            }
        }
        return epochs
    }
}
