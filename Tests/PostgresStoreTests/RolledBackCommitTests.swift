import PostgresNIO
import Testing
@testable import PostgresStore

extension RealPostgres {
    /// A transaction whose statement failed unseen is reported as failed at its COMMIT, never as
    /// committed (Postgres answers such a COMMIT with ROLLBACK and no error).
    @Suite struct RolledBackCommit {
        @Test func anUnreadStatementErrorFailsTheCommitInsteadOfPassingForOne() async throws {
            try await withMigratedDatabase { client in
                do {
                    try await client.inTransaction("an unread failing statement", logger: testLogger) { connection in
                        try await connection.query("""
                            INSERT INTO consumer_offsets (group_id, topic, partition, next_offset, epoch, owner)
                            VALUES ('g', 't', 0, 5, 1, 'me')
                            """, logger: testLogger)
                        // Fails on its first row, after its row description: postgres-nio tells only
                        // a reader of the rows, and nothing reads them.
                        try await connection.query("SELECT 1 / (g - 1) FROM generate_series(1, 2) AS g",
                                                   logger: testLogger)
                    }
                    Issue.record("the transaction passed for committed")
                } catch let error as PostgresStoreError {
                    #expect(error.description.contains("ROLLBACK"), "\(error)")
                }
                #expect(try await scalar(client, "SELECT count(*) FROM consumer_offsets") == 0)
            }
        }
    }
}
