import KafkaClient
import Logging
import PostgresNIO
import PostgresStore

/// What every bench mode runs on: librdkafka's mock cluster and a throwaway, migrated Postgres,
/// both gone when the run ends (or fails).
enum BenchBed {
    /// Runs `body` with the cluster, a client of the database, and the database's URL (for a
    /// `serve` child process). `durable` keeps fsync and synchronous commit on.
    static func with<Result: Sendable>(
        durable: Bool, logger: Logger,
        _ body: @Sendable (KafkaMockCluster, PostgresClient, String) async throws -> Result
    ) async throws -> Result {
        let kafka = try KafkaMockCluster(brokers: 1, logger: nil)
        defer { kafka.close() }
        let database = try await LocalPostgresCluster.start(durable: durable, logger: logger)
        var quiet = logger
        quiet.logLevel = .error
        let postgres = PostgresClient(configuration: database.postgresURL.clientConfiguration, backgroundLogger: quiet)
        do {
            let result = try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await postgres.run() }
                defer { group.cancelAll() }
                try await SchemaMigrator.migrate(client: postgres, logger: logger)
                return try await body(kafka, postgres, database.url)
            }
            await database.stop()
            return result
        } catch {
            await database.stop()
            throw error
        }
    }
}
