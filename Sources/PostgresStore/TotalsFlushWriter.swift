public import Logging
public import PostgresNIO

/// Commits a `FlushBatch`: totals deltas, UNIQUE_COUNT members and partition offsets in ONE transaction, so
/// each event counts exactly once through crashes and rebalances (DESIGN §5).
///
/// Order inside the transaction: number the batch in `usage_delta_batches` and COPY the deltas into the
/// append-only delta tables (no index: the cost of COPY), then lock the batch's offset rows and check their
/// epochs (fencing), then move every partition's next offset. The COPY comes before the locks because
/// Postgres ends neither an idle session nor a statement that waits for COPY data from its client
/// (`statement_timeout` and `idle_in_transaction_session_timeout` do not fire there): a flush whose process
/// stopped in the middle of its COPY (SIGSTOP, a paused VM) would hold the offset rows for ever, and the
/// new owner's claim would wait on them. Between the locks and the commit there are only short statements,
/// so a stopped flush holds them no longer than the idle timeout. Merging the deltas into the totals is `DeltaCompactor`'s
/// work; reads add what it has not merged yet. If any partition was claimed by someone else, nothing is
/// written and `FlushError.fenced` is thrown. Stateless apart from the client; thread-safe, and several
/// writers may flush concurrently (row locks are taken in partition order).
public struct TotalsFlushWriter: Sendable {
    private let client: PostgresClient
    private let logger: Logger
    /// COPY data goes out in messages of at most this many bytes, so a large batch streams with back-pressure.
    private static let copyChunkBytes = 1 << 20

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Commits `batch`; `hooks` are where tests (and `Failpoints`) stop, fail or crash it.
    public func flush(_ batch: FlushBatch, hooks: FlushHooks = .none) async throws {
        let expected = try Self.expectedEpochs(batch.offsets)
        let clock = ContinuousClock()
        let started = clock.now
        // Instants for the debug line: where a slow flush spends its time.
        var copied = started
        var fenced = started
        var moved = started
        try await client.inTransaction("flush \(batch.totals.count) totals rows of \(batch.topic)", logger: logger) { connection in
            // A statement of a flush must not wait for ever (a lock, a slow disk); this does not bound
            // a COPY whose client stopped sending, which is why the locks come after the COPY.
            try await connection.checkedQuery("SET LOCAL statement_timeout = '30s'", logger: logger)
            if !batch.totals.isEmpty || !batch.uniqueValues.isEmpty {
                let numbered = try await connection.checkedQuery("""
                    INSERT INTO usage_delta_batches (batch_id, rows, unique_rows)
                    VALUES (nextval('usage_delta_batch_ids'), \(batch.totals.count), \(batch.uniqueValues.count))
                    RETURNING batch_id
                    """, logger: logger)
                var batchID: Int64?
                for try await id in numbered.decode(Int64.self) { batchID = id }
                guard let batchID else { throw PostgresStoreError.unexpectedResult(operation: "flush", reason: "the batch was not numbered") }
                // The hook runs in the first COPY only.
                var hook = hooks.whileCopying
                for (rows, columns) in batch.totals.streams {
                    try await Self.copy(rows, batch: batchID, into: FlushStatements.deltas, columns: columns,
                                        on: connection, logger: logger, afterFirstChunk: hook)
                    hook = Self.nothing
                }
                if !batch.uniqueValues.isEmpty {
                    try await Self.copy(batch.uniqueValues.text, batch: batchID, into: FlushStatements.uniqueDeltas,
                                        columns: UniqueValueCopyRows.columns, on: connection, logger: logger,
                                        afterFirstChunk: hook)
                }
            }
            copied = clock.now
            try await fence(batch, expected: expected, on: connection)
            fenced = clock.now
            try await moveOffsets(batch, on: connection)
            moved = clock.now
            try await hooks.beforeCommit()
        }
        logger.debug("flushed", metadata: ["topic": "\(batch.topic)", "totals": "\(batch.totals.count)",
                                           "uniqueValues": "\(batch.uniqueValues.count)",
                                           "partitions": "\(batch.offsets.count)",
                                           "copiedMs": "\(started.duration(to: copied).wholeMilliseconds)",
                                           "fenceMs": "\(copied.duration(to: fenced).wholeMilliseconds)",
                                           "offsetsMs": "\(fenced.duration(to: moved).wholeMilliseconds)",
                                           "totalMs": "\(started.duration(to: clock.now).wholeMilliseconds)"])
    }

    private static let nothing: @Sendable () async throws -> Void = {}

    /// Locks the offset rows in partition order and throws unless every epoch is the batch's.
    private func fence(_ batch: FlushBatch, expected: [Int32: Int64], on connection: PostgresConnection) async throws {
        guard !expected.isEmpty else { return }
        let partitions = expected.keys.sorted()
        let rows = try await connection.checkedQuery("""
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

    /// COPYs `rows` into a delta table, each row headed by the batch's id. The sink ceiling of
    /// `bench` (e) streams through here too, so the two compare the same bytes.
    static func copy(_ rows: CopyTextBuffer, batch: Int64, into table: String, columns: [String],
                     on connection: PostgresConnection, logger: Logger,
                     afterFirstChunk: @Sendable () async throws -> Void = {}) async throws {
        var stream = BatchRowStream(batch: batch)
        // On the connection's event loop, so that each check that the connection is open and the
        // postgres-nio call after it are one job of the loop (`CopyWriteGuard`; `whileOpen` for the
        // COPY's start, which postgres-nio would leave waiting for ever on a closed connection).
        // Each chunk is prefixed off the loop, which meanwhile sends the chunk before.
        try await connection.whileOpen {
            try await connection.copyFrom(table: table, columns: ["batch_id"] + columns, format: .text(.init()),
                                          logger: logger) { writer in
                var first = true
                try await rows.forEachChunk(ofAtMost: Self.copyChunkBytes) { chunk in
                    let prefixed = await withTaskExecutorPreference(globalConcurrentExecutor) { stream.prefixed(chunk) }
                    try await CopyWriteGuard.write(prefixed, with: writer, on: connection)
                    if first {
                        first = false
                        // A test's hook may block; never on the event loop.
                        try await withTaskExecutorPreference(globalConcurrentExecutor) { try await afterFirstChunk() }
                    }
                }
                // postgres-nio sends CopyDone next, which traps on a connection caught closing (`CopyWriteGuard`).
                if connection.isClosed { try await CopyWriteGuard.throwClosed(connection) }
            }
        }
    }

    private func moveOffsets(_ batch: FlushBatch, on connection: PostgresConnection) async throws {
        guard !batch.offsets.isEmpty else { return }
        let partitions = batch.offsets.map(\.partition)
        let nextOffsets = batch.offsets.map(\.nextOffset)
        // postgres-nio binds no arrays of optionals: Int64.min stands for "none in this batch".
        let appendTimes = batch.offsets.map { $0.coveredAppendMilliseconds ?? .min }
        try await connection.checkedQuery("""
            UPDATE consumer_offsets AS o SET next_offset = u.next_offset, updated_at = now(),
              covered_append_ms = greatest(o.covered_append_ms, nullif(u.append_ms, \(Int64.min)))
            FROM unnest(\(partitions)::integer[], \(nextOffsets)::bigint[], \(appendTimes)::bigint[])
              AS u(partition, next_offset, append_ms)
            WHERE o.group_id = \(batch.group) AND o.topic = \(batch.topic) AND o.partition = u.partition
            """, logger: logger)
        if let cadence = batch.checkpoints {
            try await recordDeadLettered(batch, on: connection)
            try await recordCheckpoints(batch, cadence: cadence, on: connection)
        }
    }

    /// Records the offsets this batch dead-lettered, for a later window rebuild to skip.
    private func recordDeadLettered(_ batch: FlushBatch, on connection: PostgresConnection) async throws {
        let letters = batch.deadLettered.sorted { $0.key < $1.key }.flatMap { partition, offsets in
            offsets.map { (partition, $0) }
        }
        if !letters.isEmpty {
            try await connection.checkedQuery("""
                INSERT INTO dead_lettered_offsets (group_id, topic, partition, "offset")
                SELECT \(batch.group), \(batch.topic), l.partition, l.offset
                FROM unnest(\(letters.map(\.0))::integer[], \(letters.map(\.1))::bigint[]) AS l(partition, "offset")
                ON CONFLICT DO NOTHING
                """, logger: logger)
        }
    }

    /// Adds a checkpoint for each partition whose newest one is at least `every` older than this batch's
    /// covered append time, and drops those older than `retain` before it (keeping the newest of them, which
    /// a window rebuild may still start from), with the dead-lettered offsets before that one.
    private func recordCheckpoints(_ batch: FlushBatch, cadence: CheckpointCadence,
                                   on connection: PostgresConnection) async throws {
        let covered = batch.offsets.filter { $0.coveredAppendMilliseconds != nil }
        guard !covered.isEmpty else { return }
        let partitions = covered.map(\.partition)
        let nextOffsets = covered.map(\.nextOffset)
        let appendTimes = covered.map { $0.coveredAppendMilliseconds! }
        // One statement: the new checkpoints, and, only for the partitions that got one (once per
        // generation), the pruning of old checkpoints and of the dead-lettered offsets before them.
        try await connection.checkedQuery("""
            WITH added AS (
              INSERT INTO partition_checkpoints (group_id, topic, partition, next_offset, covered_append_ms)
              SELECT \(batch.group), \(batch.topic), u.partition, u.next_offset, u.append_ms
              FROM unnest(\(partitions)::integer[], \(nextOffsets)::bigint[], \(appendTimes)::bigint[])
                AS u(partition, next_offset, append_ms)
              WHERE NOT EXISTS (
                SELECT 1 FROM partition_checkpoints k
                WHERE k.group_id = \(batch.group) AND k.topic = \(batch.topic) AND k.partition = u.partition
                  AND k.covered_append_ms > u.append_ms - \(cadence.everyMilliseconds))
              ON CONFLICT DO NOTHING
              RETURNING partition, covered_append_ms),
            horizon AS (
              SELECT a.partition, (
                SELECT max(n.next_offset) FROM partition_checkpoints n
                WHERE n.group_id = \(batch.group) AND n.topic = \(batch.topic) AND n.partition = a.partition
                  AND n.covered_append_ms < a.covered_append_ms - \(cadence.retainMilliseconds)) AS next_offset
              FROM added a),
            letters AS (
              DELETE FROM dead_lettered_offsets d USING horizon h
              WHERE d.group_id = \(batch.group) AND d.topic = \(batch.topic) AND d.partition = h.partition
                AND d."offset" < h.next_offset)
            DELETE FROM partition_checkpoints k USING horizon h
            WHERE k.group_id = \(batch.group) AND k.topic = \(batch.topic) AND k.partition = h.partition
              AND k.next_offset < h.next_offset
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
