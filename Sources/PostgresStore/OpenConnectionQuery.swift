import Logging
import PostgresNIO

extension PostgresConnection {
    /// `query`, failing at once with `connectionClosed` on a connection whose session has ended.
    ///
    /// postgres-nio 1.33.2 hands a query to its channel with `channel.write(_, promise: nil)`: on a
    /// channel already closed the write fails unseen and the query waits for ever (so does a COPY's
    /// start, `copyFrom`). A leased connection ends between two statements when Postgres restarts,
    /// when a session is terminated, or when the process was stopped past
    /// `idle_in_transaction_session_timeout` in the middle of a transaction (a paused VM, SIGSTOP):
    /// a zombie `serve` woken that way waited on its next flush statement until the flush deadline
    /// (60 s), past its shutdown timeout (`ServeFaultTests`). The check runs on the connection's
    /// event loop, in the same job as postgres-nio's write (`EventLoopTaskExecutor`), so the
    /// connection cannot close in between; a session that ends after the write is postgres-nio's to
    /// report, and it does (it fails the statement it is waiting on).
    @discardableResult
    func checkedQuery(_ query: PostgresQuery, logger: Logger) async throws -> PostgresRowSequence {
        try await whileOpen { try await self.query(query, logger: logger) }
    }

    /// Runs `body` on the connection's event loop after checking, in the same job, that the
    /// connection is open; throws `connectionClosed` if it is not. `body` must hand postgres-nio
    /// its call before its first suspension.
    func whileOpen<Result>(_ body: () async throws -> Result) async throws -> Result {
        try await withTaskExecutorPreference(EventLoopTaskExecutor(eventLoop)) {
            if isClosed { throw PostgresError.connectionClosed }
            return try await body()
        }
    }
}
