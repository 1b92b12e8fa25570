import PostgresNIO
import Testing
@testable import PostgresStore

extension RealPostgres {
    @Suite struct Migrations {
        /// A fresh, empty database (not migrated) for one test.
        private func withEmptyDatabase(_ body: (PostgresClient) async throws -> Void) async throws {
            let cluster = try #require(SharedCluster.current)
            let url = try await cluster.createIsolatedDatabase()
            do {
                try await withClient(url, body)
                try await cluster.dropDatabase(url)
            } catch {
                try? await cluster.dropDatabase(url)
                throw error
            }
        }

        @Test func migratingTwiceAppliesEachVersionOnlyOnce() async throws {
            try await withEmptyDatabase { (client: PostgresClient) async throws in
                #expect(try await SchemaMigrator.appliedVersions(client: client, logger: testLogger) == [])
                #expect(try await SchemaMigrator.migrate(client: client, logger: testLogger) == SchemaMigrator.knownVersions)
                #expect(try await SchemaMigrator.migrate(client: client, logger: testLogger) == [])
                #expect(try await SchemaMigrator.appliedVersions(client: client, logger: testLogger) == SchemaMigrator.knownVersions)
                #expect(try await scalar(client, """
                    SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'
                    """) == 16)   // V1: 6 tables and the migrations table; V2: accounts; V3: checkpoints, resets, dead-lettered offsets; V4: 3 tables, 2 views
            }
        }

        @Test func concurrentMigrationsApplyEachVersionExactlyOnce() async throws {
            try await withEmptyDatabase { (client: PostgresClient) async throws in
                let applied = try await withThrowingTaskGroup(of: [Int].self) { group in
                    for _ in 0..<4 {
                        group.addTask { try await SchemaMigrator.migrate(client: client, logger: testLogger) }
                    }
                    var all: [Int] = []
                    for try await versions in group { all += versions }
                    return all
                }
                #expect(applied == SchemaMigrator.knownVersions)
                #expect(try await SchemaMigrator.appliedVersions(client: client, logger: testLogger) == SchemaMigrator.knownVersions)
            }
        }

        @Test func aSchemaFromANewerOdometerIsRefused() async throws {
            try await withEmptyDatabase { (client: PostgresClient) async throws in
                try await SchemaMigrator.migrate(client: client, logger: testLogger)
                try await client.query("INSERT INTO odometer_schema_migrations (version, summary) VALUES (99, 'future')",
                                       logger: testLogger)
                await #expect(throws: PostgresStoreError.schemaNewerThanBinary(found: 99, known: SchemaMigrator.latestVersion)) {
                    try await SchemaMigrator.migrate(client: client, logger: testLogger)
                }
            }
        }
    }
}
