import Foundation
import PostgresNIO
import Synchronization
import Testing
@testable import PostgresStore

extension RealPostgres {
    /// A leased connection whose session Postgres ended between two statements (a restart, a
    /// terminated backend, a process stopped past `idle_in_transaction_session_timeout`): the next
    /// statement or COPY must fail at once. postgres-nio 1.33.2 alone waits for ever there
    /// (`PostgresConnection.checkedQuery`); a woken zombie `serve` so waited on its flush until the
    /// flush deadline, past its shutdown timeout, and exited 2.
    @Suite struct EndedSessionTests {
        @Test func aStatementOrACopyOnASessionThatEndedFailsAtOnce() async throws {
            try await withMigratedDatabase { client in
                var rows = TotalsCopyRows()
                rows.append(account: "a", meter: "m", period: "2026-10", dimensions: "{}", events: 1, sum: "1",
                            min: nil, max: nil, latest: nil)
                let text = rows.text
                for step in ["statement", "copy"] {
                    let outcome = try await client.withConnection { connection in
                        try await connection.checkedQuery("BEGIN", logger: testLogger)
                        try await Self.end(backendOf: connection, from: client)
                        return await Self.outcome(within: .seconds(10)) {
                            if step == "statement" {
                                try await connection.checkedQuery("SELECT 1", logger: testLogger)
                            } else {
                                try await TotalsFlushWriter.copy(text, batch: 1, into: "usage_deltas",
                                                                 columns: TotalsCopyRows.columns, on: connection, logger: testLogger)
                            }
                        }
                    }
                    #expect(outcome == .threw, "the \(step) on an ended session: \(outcome)")
                }
            }
        }

        @Test func aFlushWhoseSessionEndsBeforeItsCommitFailsAtOnceAndCommitsNothing() async throws {
            try await withMigratedDatabase { client in
                let offsets = PartitionOffsetStore(client: client, logger: testLogger)
                let claims = try await offsets.claim(group: "g", topic: "t", partitions: [0], owner: "a")
                let epoch = try #require(claims[0]?.epoch)
                var rows = TotalsCopyRows()
                rows.append(account: "a", meter: "m", period: "2026-10", dimensions: "{}", events: 3, sum: "3",
                            min: nil, max: nil, latest: nil)
                let batch = FlushBatch(group: "g", topic: "t",
                                       offsets: [PartitionOffset(partition: 0, nextOffset: 3, epoch: epoch)], totals: rows)
                let writer = TotalsFlushWriter(client: client, logger: testLogger)
                let outcome = await Self.outcome(within: .seconds(20)) {
                    // Every statement has run; the flush's session (and any other of this database but
                    // the one asking) ends before the commit.
                    try await writer.flush(batch, hooks: .beforeCommit {
                        // The sessions first, then their end: in one WHERE, Postgres may call
                        // pg_terminate_backend before it filters by database (it did, on other tests' sessions).
                        var others: [Int32] = []
                        for try await pid in try await client.query(
                            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
                            logger: testLogger).decode(Int32.self) { others.append(pid) }
                        try await client.query("SELECT pg_terminate_backend(p) FROM unnest(\(others)::integer[]) AS p",
                                               logger: testLogger)
                        try await Self.waitUntilGone(others, client)
                    })
                }
                #expect(outcome == .threw, "the flush: \(outcome)")
                #expect(try await scalar(client, "SELECT count(*) FROM usage_deltas") == 0)
                #expect(try await offsets.read(group: "g", topic: "t")[0]?.nextOffset == claims[0]?.nextOffset)
            }
        }

        enum Outcome: Equatable { case returned, threw, hung }

        /// How `work` ended, or `.hung` if it had not after `limit` (left behind, cancelled).
        static func outcome(within limit: Duration, _ work: @escaping @Sendable () async throws -> Void) async -> Outcome {
            let result = Mutex<Outcome?>(nil)
            let task = Task {
                do {
                    try await work()
                    result.withLock { $0 = $0 ?? .returned }
                } catch {
                    result.withLock { $0 = $0 ?? .threw }
                }
            }
            let deadline = ContinuousClock.now + limit
            while ContinuousClock.now < deadline {
                if let ended = result.withLock({ $0 }) { return ended }
                try? await Task.sleep(for: .milliseconds(20))
            }
            task.cancel()
            return result.withLock { $0 } ?? .hung
        }

        /// Terminates the session behind `connection` and waits until the connection has seen it close.
        static func end(backendOf connection: PostgresConnection, from client: PostgresClient) async throws {
            var pid: Int32 = 0
            for try await value in try await connection.checkedQuery("SELECT pg_backend_pid()", logger: testLogger)
                .decode(Int32.self) { pid = value }
            try await client.query("SELECT pg_terminate_backend(\(pid))", logger: testLogger)
            let deadline = ContinuousClock.now + .seconds(10)
            while !connection.isClosed, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
            try #require(connection.isClosed, "the terminated session's connection did not close")
        }

        /// Waits until the sessions `pids` are gone, and a little more for their clients to see the close.
        static func waitUntilGone(_ pids: [Int32], _ client: PostgresClient) async throws {
            let deadline = ContinuousClock.now + .seconds(10)
            while try await scalar(client, "SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(\(pids)::integer[])") > 0,
                  ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            try await Task.sleep(for: .milliseconds(300))
        }
    }
}
