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
/// postgres-nio also traps (`preconditionFailure("Copy mode is only supported for extended
/// queries")`) when a COPY call (a write, CopyDone, CopyFail) reaches its state machine after the
/// event loop has begun closing the connection and before the channel's handlers are removed;
/// after that it fails the call with `connectionClosed`. A server that ends the session (a
/// restart, `pg_terminate_backend`) sends a FATAL error and closes the socket just after. Two
/// guards: each check that the connection is open runs in the same event-loop job as the call
/// after it (the COPY runs on the connection's loop, `EventLoopTaskExecutor`), and a failed
/// write waits up to `closeGrace` for a close that follows its error, so the CopyFail that
/// postgres-nio then sends finds the handlers gone. (A `serve` crashed so twice when a Postgres
/// restart cut a flush's COPY, in loaded full test runs; `CopyTerminationTests` ends sessions
/// mid-COPY: with only the earlier guard, which checked from another thread and waited only for
/// a close already seen, one run in four trapped in a write.)
enum CopyWriteGuard {
    /// How long a failed write waits for a close that may follow its error. Only failures wait;
    /// one that leaves the connection open (bad data) throws after it, which the flush can afford.
    static let closeGrace: Duration = .seconds(1)

    static func write(_ data: ByteBuffer, with writer: PostgresCopyFromWriter, on connection: PostgresConnection) async throws {
        do {
            try await raceAgainstClose(data, with: writer, on: connection)
        } catch {
            // See above: postgres-nio's CopyFail must find the channel closed, not closing.
            await awaitClose(of: connection, within: closeGrace)
            throw error
        }
    }

    /// Returns once the connection's channel has closed, or after `grace` if it stays open.
    static func awaitClose(of connection: PostgresConnection, within grace: Duration) async {
        if connection.isClosed {
            try? await connection.closeFuture.get()
            return
        }
        let race = Race()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            connection.closeFuture.whenComplete { _ in
                if race.settle() { continuation.resume() }
            }
            Task {
                try? await Task.sleep(for: grace)
                if race.settle() { continuation.resume() }
            }
        }
    }

    /// Throws `connectionClosed` once the closing connection's channel has closed (see above).
    static func throwClosed(_ connection: PostgresConnection) async throws -> Never {
        await awaitClose(of: connection, within: closeGrace)
        throw PostgresError.connectionClosed
    }

    /// The write, or `connectionClosed` as soon as the connection is seen closed while it waits.
    private static func raceAgainstClose(_ data: ByteBuffer, with writer: PostgresCopyFromWriter,
                                         on connection: PostgresConnection) async throws {
        let race = Race()
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            // The check and postgres-nio's first step of the write (which traps on a connection
            // whose close the loop has begun) are one job of the connection's event loop (`whileOpen`).
            let write = Task {
                do {
                    try await connection.whileOpen { try await writer.write(data) }
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
