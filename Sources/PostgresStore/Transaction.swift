import Logging
import PostgresNIO

extension PostgresConnection {
    /// Runs `body` between `begin` (BEGIN, or BEGIN with an isolation level) and COMMIT. On any error it rolls
    /// back and rethrows the original error unchanged (postgres-nio's `withTransaction` wraps it, which would hide
    /// `FlushError.fenced` from callers). If the rollback itself fails the connection is closed, so the pool never
    /// hands out a session in an unknown state.
    func inTransaction<Result: Sendable>(
        beginning begin: PostgresQuery = "BEGIN",
        logger: Logger,
        _ body: () async throws -> Result
    ) async throws -> Result {
        try await checkedQuery(begin, logger: logger)
        let value: Result
        do {
            value = try await body()
        } catch {
            do {
                try await checkedQuery("ROLLBACK", logger: logger)
            } catch {
                try? await close()
            }
            throw error
        }
        try await commit(logger: logger)
        return value
    }

    /// COMMIT, throwing unless Postgres committed. On a transaction that an earlier statement
    /// aborted, COMMIT answers with the tag ROLLBACK and no error; and postgres-nio 1.33.2 reports
    /// an error that a row-returning statement meets while it runs (after its row description)
    /// only to a reader of its rows. A statement whose rows nobody read could thus fail unseen and
    /// its transaction pass for committed: for a flush, offsets later moved past events whose
    /// deltas were never written. Every statement of ours reads its rows or returns none; this
    /// makes sure of it at the one place that counts.
    func commit(logger: Logger) async throws {
        let result = try await whileOpen {
            let committing: EventLoopFuture<PostgresQueryResult> = query("COMMIT", logger: logger)
            return try await committing.get()
        }
        guard result.metadata.command == "COMMIT" else {
            throw PostgresStoreError.unexpectedResult(
                operation: "commit",
                reason: "Postgres answered \(result.metadata.command): an earlier statement of the transaction failed, "
                    + "and the transaction was rolled back")
        }
    }
}

extension PostgresClient {
    /// Leases a connection for `body`, translating postgres-nio errors into `PostgresStoreError` for `operation`.
    func withStoreConnection<Result: Sendable>(
        _ operation: String,
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        try await withStoreErrors(operation) {
            try await withConnection { connection in try await body(connection) }
        }
    }

    /// One transaction on a leased connection; see `PostgresConnection.inTransaction`.
    func inTransaction<Result: Sendable>(
        _ operation: String,
        logger: Logger,
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        try await withStoreConnection(operation) { connection in
            try await connection.inTransaction(logger: logger) { try await body(connection) }
        }
    }
}
