import Logging
import PostgresNIO
import Testing
@testable import PostgresStore

let testLogger: Logger = {
    var logger = Logger(label: "odometer.postgres.tests")
    logger.logLevel = .warning
    return logger
}()

/// For the pools' background chatter: postgres-nio warns when a lease races `run()`, which `withClient` does.
let backgroundLogger: Logger = {
    var logger = Logger(label: "odometer.postgres.tests.pool")
    logger.logLevel = .error
    return logger
}()

/// The cluster shared by every test of a suite marked `.localPostgres`.
enum SharedCluster {
    @TaskLocal static var current: LocalPostgresCluster?
}

/// Starts one throwaway Postgres (or uses `DATABASE_URL`) around a whole suite and stops it afterwards.
struct LocalPostgresScope: SuiteTrait, TestScoping {
    func provideScope(for test: Test, testCase: Test.Case?,
                      performing function: @Sendable () async throws -> Void) async throws {
        let cluster = try await LocalPostgresCluster.fromEnvironmentOrStart(logger: testLogger)
        do {
            try await SharedCluster.$current.withValue(cluster) { try await function() }
        } catch {
            await cluster.stop()
            throw error
        }
        await cluster.stop()
    }
}

extension Trait where Self == LocalPostgresScope {
    static var localPostgres: Self { LocalPostgresScope() }
}

/// Runs `body` with a client of a running pool, then shuts the pool down.
func withClient<Result: Sendable>(_ url: PostgresURL, _ body: (PostgresClient) async throws -> Result) async throws -> Result {
    let client = PostgresClient(configuration: url.clientConfiguration, backgroundLogger: backgroundLogger)
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { await client.run() }
        defer { group.cancelAll() }
        return try await body(client)
    }
}

/// A fresh, migrated database on the shared cluster for one test; dropped afterwards, also when the test fails.
func withMigratedDatabase<Result: Sendable>(_ body: (PostgresClient) async throws -> Result) async throws -> Result {
    let cluster = try #require(SharedCluster.current, "the suite needs the .localPostgres trait")
    let url = try await cluster.createIsolatedDatabase()
    do {
        let result = try await withClient(url) { client in
            try await SchemaMigrator.migrate(client: client, logger: testLogger)
            return try await body(client)
        }
        try await cluster.dropDatabase(url)
        return result
    } catch {
        try? await cluster.dropDatabase(url)
        throw error
    }
}

/// One SUM row of `events` for `account` (meter "calls", period 2026-11), the sum equal to the events.
func callsRow(account: String, events: Int64) -> TotalsCopyRows {
    var rows = TotalsCopyRows()
    rows.append(account: account, meter: "calls", period: "2026-11", dimensions: "{}", events: events,
                sum: "\(events)", min: nil, max: nil, latest: nil)
    return rows
}

/// Runs one statement and returns its single integer result.
func scalar(_ client: PostgresClient, _ query: PostgresQuery) async throws -> Int64 {
    var value: Int64?
    for try await row in try await client.query(query, logger: testLogger).decode(Int64.self) { value = row }
    return try #require(value)
}

/// The top-level suite of every test that needs a real Postgres: they share one cluster, each test its own
/// database.
@Suite(.localPostgres)
struct RealPostgres {}
