import PostgresNIO
import Testing
@testable import PostgresStore

extension RealPostgres {
    /// A flush's COPY whose server session ends mid-stream (what a Postgres restart does) fails
    /// with an error and leaves nothing behind. postgres-nio 1.33.2 traps instead when a COPY call
    /// (the next write, CopyDone or CopyFail) meets a connection its event loop has begun to close
    /// (`CopyWriteGuard`; with the earlier guard one run in four trapped in a write). Each round
    /// ends the session at another moment of the stream.
    @Suite struct CopyTerminationTests {
        @Test func aCopyWhoseSessionIsTerminatedFailsAndCommitsNothing() async throws {
            try await withMigratedDatabase { client in
                var rows = TotalsCopyRows(reservingBytes: 16 << 20)
                for index in 0..<150_000 {
                    rows.append(account: "acct-\(index)", meter: "api_calls", period: "2026-10", dimensions: "{}",
                                events: 1, sum: "0", min: nil, max: nil, latest: nil)
                }
                let text = rows.text
                var cut = 0
                for round in 0..<10 {
                    let committed = try await client.withConnection { connection in
                        var pid: Int32 = 0
                        for try await value in try await connection.query("SELECT pg_backend_pid()", logger: testLogger)
                            .decode(Int32.self) { pid = value }
                        let backend = pid
                        let terminate = Task {
                            try await Task.sleep(for: .milliseconds(5 + 20 * round))
                            try await client.query("SELECT pg_terminate_backend(\(backend))", logger: testLogger)
                        }
                        defer { terminate.cancel() }
                        do {
                            try await connection.query("BEGIN", logger: testLogger)
                            try await TotalsFlushWriter.copy(text, batch: Int64(round), into: "usage_deltas",
                                                             columns: TotalsCopyRows.columns, on: connection, logger: testLogger)
                            try await connection.query("COMMIT", logger: testLogger)
                            return true
                        } catch {
                            return false
                        }
                    }
                    if !committed { cut += 1 }
                    let stored = try await scalar(client, "SELECT count(*) FROM usage_deltas WHERE batch_id = \(Int64(round))")
                    #expect(stored == (committed ? 150_000 : 0), "round \(round): \(stored) rows after a \(committed ? "committed" : "failed") COPY")
                }
                #expect(cut >= 3, "only \(cut) of 10 COPYs were cut by the termination; the test did not test it")
            }
        }
    }
}
