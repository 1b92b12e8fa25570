import Logging
import PostgresNIO

extension PostgresConnection {
    /// Runs `body` between BEGIN and COMMIT. On any error it rolls back and rethrows the original error unchanged
    /// (postgres-nio's `withTransaction` wraps it, which would hide `FlushError.fenced` from callers). If the
    /// rollback itself fails the connection is closed, so the pool never hands out a session in an unknown state.
    func inTransaction<Result: Sendable>(
        logger: Logger,
        _ body: () async throws -> Result
    ) async throws -> Result {
        try await checkedQuery("BEGIN", logger: logger)
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
        try await checkedQuery("COMMIT", logger: logger)
        return value
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
