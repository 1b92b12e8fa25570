import Foundation
import PostgresNIO
import Testing
@testable import PostgresStore

@Suite struct ThrowawayCluster {
    @Test(.enabled(if: PostgresBinaries.locate() != nil, "needs Postgres server programs"))
    func startsAsThePostgresUserAcceptsConnectionsAndStopRemovesItsDirectory() async throws {
        let cluster = try await LocalPostgresCluster.start(logger: testLogger)
        let directory = try #require(cluster.directory)
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: directory)
            if geteuid() == 0 {
                #expect(attributes[.ownerAccountName] as? String == "postgres")
            }
            let url = try PostgresURL(parsing: cluster.url)
            #expect(cluster.url == "postgres://odometer@127.0.0.1:\(url.port)/odometer")
            let (user, database, fsync) = try await withClient(url) { client in
                var result: (String, String, String)?
                for try await row in try await client.query(
                    "SELECT current_user::text, current_database()::text, current_setting('fsync')",
                    logger: testLogger).decode((String, String, String).self) {
                    result = row
                }
                return try #require(result)
            }
            #expect(user == "odometer")
            #expect(database == "odometer")
            #expect(fsync == "off")
        } catch {
            await cluster.stop()
            throw error
        }
        await cluster.stop()
        #expect(!FileManager.default.fileExists(atPath: directory))
        await cluster.stop()
    }

    /// What an interrupted `odometer bench` stops before it exits (`ThrowawayServers.stopAll`,
    /// not called here: the other suites' servers are in the same process).
    @Test(.enabled(if: PostgresBinaries.locate() != nil, "needs Postgres server programs"))
    func aRunningServerIsRegisteredUntilItStops() async throws {
        let cluster = try await LocalPostgresCluster.start(logger: testLogger)
        let directory = try #require(cluster.directory)
        #expect(ThrowawayServers.directories.contains(directory))
        await cluster.stop()
        #expect(!ThrowawayServers.directories.contains(directory))
        #expect(!FileManager.default.fileExists(atPath: directory))
    }
}

extension RealPostgres {
    @Suite struct ExternalServer {
        @Test func withDatabaseURLEachClusterGetsAFreshDatabaseThatStopDrops() async throws {
            let shared = try #require(SharedCluster.current)
            let external = try await LocalPostgresCluster.fromEnvironmentOrStart(
                logger: testLogger, environment: ["DATABASE_URL": shared.url])
            let name = external.postgresURL.database
            #expect(name.hasPrefix("odometer_test_"))
            #expect(external.directory == nil)
            let migrated = try await withClient(external.postgresURL) { client in
                try await SchemaMigrator.migrate(client: client, logger: testLogger)
            }
            #expect(migrated == SchemaMigrator.knownVersions)

            let databaseCount: @Sendable () async throws -> Int64 = {
                try await withClient(shared.postgresURL) { client in
                    try await scalar(client, "SELECT count(*) FROM pg_database WHERE datname = \(name)")
                }
            }
            #expect(try await databaseCount() == 1)
            await external.stop()
            #expect(try await databaseCount() == 0)
            await external.stop()
        }
    }
}
