import MeteringCore
import PostgresNIO
import Synchronization
import Testing
@testable import PostgresStore

extension RealPostgres {
    /// The hooks run where `FlushHooks` says, which the crash and failure tests rely on: a
    /// `kill-before-commit` failpoint must find every statement of the flush done.
    @Suite struct FlushHooksPlacement {
        /// Seen from another session inside `beforeCommit`: the offset rows are locked (the fence
        /// ran), the offsets and the deltas are not visible yet (no commit); after it, they are.
        private typealias Seen = (locked: Bool, offset: Int64?, deltas: Int64, ran: Int)

        private func observeBeforeCommit(_ batch: FlushBatch) async throws -> Seen {
            try await withMigratedDatabase { client in
                let offsets = PartitionOffsetStore(client: client, logger: testLogger)
                _ = try await offsets.claim(group: "g", topic: "usage", partitions: [0], owner: "me")
                let writer = TotalsFlushWriter(client: client, logger: testLogger)
                let seen = Mutex<Seen>((false, nil, -1, 0))
                try await writer.flush(batch, hooks: .beforeCommit {
                    let locked: Bool
                    do {
                        try await client.inTransaction("try the offset row's lock", logger: testLogger) { connection in
                            // The rows are read: postgres-nio reports a statement's error with its rows.
                            for try await _ in try await connection.query("""
                                SELECT 1 FROM consumer_offsets WHERE group_id = 'g' AND partition = 0 FOR UPDATE NOWAIT
                                """, logger: testLogger) {}
                        }
                        locked = false
                    } catch let error as PostgresStoreError where error.sqlState == "55P03" {
                        locked = true
                    }
                    let offset = try await offsets.read(group: "g", topic: "usage")[0]?.nextOffset
                    let deltas = try await scalar(client, "SELECT count(*) FROM usage_deltas")
                    seen.withLock { $0 = (locked, offset, deltas, $0.ran + 1) }
                })
                #expect(try await offsets.read(group: "g", topic: "usage")[0]?.nextOffset == 5)
                return seen.withLock { $0 }
            }
        }

        @Test func beforeCommitRunsAfterTheFenceAndBeforeTheCommit() async throws {
            let seen = try await observeBeforeCommit(FlushBatch(
                group: "g", topic: "usage", offsets: [PartitionOffset(partition: 0, nextOffset: 5, epoch: 1)],
                totals: callsRow(account: "a", events: 5)))
            #expect(seen.ran == 1)
            #expect(seen.locked, "the fence had not locked the offset row yet")
            #expect(seen.offset == 0)
            #expect(seen.deltas == 0)
        }

        /// A flush of offsets alone (every message rejected or a duplicate) has no COPY; its
        /// `beforeCommit` runs all the same (as `whileCopying` it never did).
        @Test func beforeCommitRunsForAFlushWithoutRows() async throws {
            let seen = try await observeBeforeCommit(FlushBatch(
                group: "g", topic: "usage", offsets: [PartitionOffset(partition: 0, nextOffset: 5, epoch: 1)],
                totals: TotalsCopyRows()))
            #expect(seen.ran == 1)
            #expect(seen.locked)
            #expect(seen.offset == 0)
        }
    }
}
