public import Logging
public import PostgresNIO

/// What waits in the delta tables for the compactor.
public struct DeltaBacklog: Sendable, Hashable {
    public var batches: Int64
    public var rows: Int64
    public var uniqueRows: Int64
    /// How long the oldest batch has waited, in milliseconds (0 when empty).
    public var oldestMilliseconds: Int64

    public init(batches: Int64 = 0, rows: Int64 = 0, uniqueRows: Int64 = 0, oldestMilliseconds: Int64 = 0) {
        self.batches = batches
        self.rows = rows
        self.uniqueRows = uniqueRows
        self.oldestMilliseconds = oldestMilliseconds
    }
}

/// What one compaction moved.
public struct CompactionReport: Sendable, Hashable {
    public var rows: Int64
    public var uniqueRows: Int64
    /// Totals rows inserted or updated (distinct keys among the moved rows).
    public var keys: Int64
}

/// Folds the append-only deltas into the totals (issue 13), the oldest batches first: one
/// transaction moves them out of the delta tables and merges them into `usage_totals` and
/// `usage_unique_values`, so a reader (through `usage_current`) sees every event exactly once
/// before, during and after. A kill at any point rolls the whole compaction back. Only one
/// compactor works at a time, across instances (a transaction-scoped advisory lock); another
/// finds the lock taken and returns nil. Stateless apart from the client; thread-safe.
public struct DeltaCompactor: Sendable {
    private let client: PostgresClient
    private let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// The last step `compact`'s `between` is called with.
    public static let lastStep = 2 + CompactionStatements.afterTotals(upTo: 0).count

    public func backlog() async throws -> DeltaBacklog {
        try await client.withStoreConnection("read the compaction backlog") { connection in
            var backlog = DeltaBacklog()
            for try await (batches, rows, unique, oldest) in try await connection.checkedQuery(
                PostgresQuery(unsafeSQL: CompactionStatements.backlog), logger: logger).decode((Int64, Int64, Int64, Int64).self) {
                backlog = DeltaBacklog(batches: batches, rows: rows, uniqueRows: unique, oldestMilliseconds: oldest)
            }
            return backlog
        }
    }

    /// Compacts the oldest batches, about `maxRows` rows (at least one batch). Returns nil when
    /// another compactor is at work, an empty report when there is nothing to compact.
    /// `between` runs before each statement after the lock, and after the last one (steps 0 to
    /// `lastStep`; tests kill the compaction there).
    public func compact(maxRows: Int, between: @Sendable (_ step: Int) async throws -> Void = { _ in })
        async throws -> CompactionReport? {
        try await client.withStoreConnection("compact usage deltas") { connection in
            try await connection.inTransaction(beginning: "BEGIN ISOLATION LEVEL REPEATABLE READ", logger: logger) {
                try await compact(maxRows: maxRows, on: connection, between: between)
            }
        }
    }

    private func compact(maxRows: Int, on connection: PostgresConnection,
                         between: @Sendable (Int) async throws -> Void) async throws -> CompactionReport? {
        var locked = false
        for try await value in try await connection.checkedQuery(
            PostgresQuery(unsafeSQL: CompactionStatements.lock), logger: logger).decode(Bool.self) { locked = value }
        guard locked else { return nil }
        try await between(0)
        var upper: Int64?
        var report = CompactionReport(rows: 0, uniqueRows: 0, keys: 0)
        for try await (batch, rows, unique) in try await connection.checkedQuery(
            PostgresQuery(unsafeSQL: CompactionStatements.upperBatch(maxRows: maxRows)), logger: logger)
            .decode((Int64?, Int64, Int64).self) {
            upper = batch
            report.rows = rows
            report.uniqueRows = unique
        }
        guard let upper else { return report }
        try await connection.checkedQuery(PostgresQuery(unsafeSQL: CompactionStatements.workMemory), logger: logger)
        try await between(1)
        for try await keys in try await connection.checkedQuery(
            PostgresQuery(unsafeSQL: CompactionStatements.mergeTotals(upTo: upper)), logger: logger).decode(Int64.self) {
            report.keys = keys
        }
        try await between(2)
        for (step, statement) in CompactionStatements.afterTotals(upTo: upper).enumerated() {
            try await connection.checkedQuery(PostgresQuery(unsafeSQL: statement), logger: logger)
            try await between(3 + step)
        }
        return report
    }
}
