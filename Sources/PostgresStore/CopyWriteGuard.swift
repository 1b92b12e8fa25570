import NIOCore
import PostgresNIO
import Synchronization

/// Writes one COPY chunk, failing at once if the connection closes meanwhile.
///
/// postgres-nio 1.33.2 loses a COPY writer's back-pressure promise when its connection closes
/// while the writer waits for the socket to drain (`ExtendedQueryStateMachine.errorHappened`
/// leaves `.copyingData(.pendingBackpressureRelieve)` without failing the promise): Postgres
/// stopping, or ending a session that sat idle in its transaction (a SIGSTOPped process), made
/// `write` wait for ever. The write runs in its own task, raced against the connection's state,
/// polled every 250 ms while the write waits; the stuck task is left behind, cancelled.
///
/// A write that fails because the connection closed throws only once the channel's close has
/// completed: postgres-nio answers the error by sending CopyFail, and its state machine traps
/// (`preconditionFailure("Copy mode is only supported for extended queries")`) if that comes
/// between the connection's state leaving the query and the channel's handlers being removed;
/// after the close it fails the CopyFail with `connectionClosed` instead. (A `serve` crashed
/// that way once when a Postgres restart cut a flush's COPY, in a loaded full test run.)
enum CopyWriteGuard {
    static func write(_ data: ByteBuffer, with writer: PostgresCopyFromWriter, on connection: PostgresConnection) async throws {
        do {
            if connection.isClosed { throw PostgresError.connectionClosed }
            try await raceAgainstClose(data, with: writer, on: connection)
        } catch {
            // See above: postgres-nio's CopyFail must find the channel closed, not closing.
            if connection.isClosed { try? await connection.closeFuture.get() }
            throw error
        }
    }

    /// Throws `connectionClosed` once the closing connection's channel has closed (see above).
    static func throwClosed(_ connection: PostgresConnection) async throws -> Never {
        try? await connection.closeFuture.get()
        throw PostgresError.connectionClosed
    }

    /// The write, or `connectionClosed` as soon as the connection is seen closed while it waits.
    private static func raceAgainstClose(_ data: ByteBuffer, with writer: PostgresCopyFromWriter,
                                         on connection: PostgresConnection) async throws {
        let race = Race()
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let write = Task {
                do {
                    try await writer.write(data)
                    if race.settle() { continuation.resume() }
                } catch {
                    if race.settle() { continuation.resume(throwing: error) }
                }
            }
            Task {
                while !race.isSettled {
                    try? await Task.sleep(for: .milliseconds(250))
                    if connection.isClosed, race.settle() {
                        write.cancel()
                        continuation.resume(throwing: PostgresError.connectionClosed)
                    }
                }
            }
        }
    }

    /// Who resumes the continuation: the write, or the watch on the connection.
    private final class Race: Sendable {
        private let settled = Mutex(false)

        var isSettled: Bool { settled.withLock { $0 } }

        /// True for the first caller only.
        func settle() -> Bool {
            settled.withLock { settled in
                defer { settled = true }
                return !settled
            }
        }
    }
}
