import Foundation
public import Logging
import PostgresNIO
import Synchronization

/// A real Postgres for tests and `odometer demo`: either a throwaway server this process started
/// (initdb + pg_ctl in a temporary directory, loopback only), or, when `DATABASE_URL` is set, fresh databases
/// on that server.
///
/// Owned by whoever started it; call `stop()` when done (it is idempotent, and `deinit` stops an owned server
/// as a last resort). Thread-safe: the mutable state is behind a `Mutex`.
public final class LocalPostgresCluster: Sendable {
    /// Address of the `odometer` database (or, on an external server, of this cluster's fresh database).
    public let url: String
    public let postgresURL: PostgresURL
    private let server: ThrowawayServer?
    /// Connection used to create and drop databases: `postgres` on an owned server, `DATABASE_URL` otherwise.
    private let maintenance: PostgresURL
    private let logger: Logger
    private let state: Mutex<State>

    private struct State {
        var stopped = false
        var createdDatabases: [String]
    }

    private init(url: PostgresURL, server: ThrowawayServer?, maintenance: PostgresURL, logger: Logger,
                 createdDatabases: [String] = []) {
        self.postgresURL = url
        self.url = url.urlString
        self.server = server
        self.maintenance = maintenance
        self.logger = logger
        self.state = Mutex(State(createdDatabases: createdDatabases))
    }

    /// The temporary directory of an owned server (cluster, socket, logs); nil on an external server.
    public var directory: String? { server?.directory }

    /// Starts a throwaway server and creates the `odometer` database in it.
    /// - Parameter durable: keep fsync and synchronous commit on (for measurements); off by default for speed.
    public static func start(durable: Bool = false, logger: Logger) async throws -> LocalPostgresCluster {
        let environment = ProcessInfo.processInfo.environment
        guard let binaries = PostgresBinaries.locate(environment: environment) else {
            throw LocalPostgresClusterError.binariesNotFound(searched: PostgresBinaries.candidates(environment: environment))
        }
        let server = try await NIOThreadPool.singleton.runIfActive {
            try ThrowawayServer.start(binaries: binaries, durable: durable)
        }
        let maintenance = PostgresURL(username: "odometer", host: "127.0.0.1", port: server.port,
                                      database: "postgres")
        do {
            try await DatabaseAdmin(maintenance: maintenance, logger: logger).create(database: "odometer")
        } catch {
            await NIOThreadPool.singleton.runIfActiveOrIgnore { server.stopAndRemove() }
            throw error
        }
        logger.info("throwaway Postgres started", metadata: ["port": "\(server.port)", "directory": "\(server.directory)"])
        return LocalPostgresCluster(url: maintenance.with(database: "odometer"), server: server,
                                    maintenance: maintenance, logger: logger)
    }

    /// Uses the server of `DATABASE_URL` when it is set (with a fresh database, dropped by `stop()`, so tests stay
    /// isolated); otherwise starts a throwaway server.
    /// - Parameter environment: the variables to read; nil means this process's environment.
    public static func fromEnvironmentOrStart(
        durable: Bool = false,
        logger: Logger,
        environment: [String: String]? = nil
    ) async throws -> LocalPostgresCluster {
        let environment = environment ?? ProcessInfo.processInfo.environment
        guard let text = environment["DATABASE_URL"], !text.isEmpty else {
            return try await start(durable: durable, logger: logger)
        }
        let external = try PostgresURL(parsing: text)
        let name = isolatedDatabaseName()
        try await DatabaseAdmin(maintenance: external, logger: logger).create(database: name)
        return LocalPostgresCluster(url: external.with(database: name), server: nil, maintenance: external,
                                    logger: logger, createdDatabases: [name])
    }

    /// Creates an empty database named `odometer_test_<random>` on this server and returns its address.
    /// `stop()` drops it if `dropDatabase` was not called first.
    public func createIsolatedDatabase() async throws -> PostgresURL {
        let name = Self.isolatedDatabaseName()
        state.withLock { $0.createdDatabases.append(name) }
        try await DatabaseAdmin(maintenance: maintenance, logger: logger).create(database: name)
        return maintenance.with(database: name)
    }

    /// Drops a database made by `createIsolatedDatabase`, disconnecting its sessions first.
    public func dropDatabase(_ database: PostgresURL) async throws {
        try await DatabaseAdmin(maintenance: maintenance, logger: logger).drop(database: database.database)
        state.withLock { $0.createdDatabases.removeAll { $0 == database.database } }
    }

    /// Fault tests: `pg_ctl restart -m fast` (`.restart`), or a stop (`.pause`) and a start on the same
    /// port (`.resume`) of the server this cluster owns. A server on `DATABASE_URL` is not ours to restart.
    public enum ServerControl: Sendable { case restart, pause, resume }

    public func control(_ action: ServerControl) async throws {
        guard let server else { throw LocalPostgresClusterError.notOwned }
        try await NIOThreadPool.singleton.runIfActive {
            switch action {
            case .restart: try server.restart()
            case .pause: try server.pause()
            case .resume: try server.resume()
            }
        }
    }

    /// Drops the databases this cluster created, then stops an owned server and removes its directory.
    /// Idempotent; never throws (failures are logged).
    public func stop() async {
        let databases: [String]? = state.withLock { state in
            guard !state.stopped else { return nil }
            state.stopped = true
            defer { state.createdDatabases = [] }
            return state.createdDatabases
        }
        guard let databases else { return }
        if let server {
            await NIOThreadPool.singleton.runIfActiveOrIgnore { server.stopAndRemove() }
            return
        }
        for name in databases {
            do {
                try await DatabaseAdmin(maintenance: maintenance, logger: logger).drop(database: name)
            } catch {
                logger.warning("could not drop test database", metadata: ["database": "\(name)", "error": "\(error)"])
            }
        }
    }

    deinit {
        // Last resort for an owned server nobody stopped; external databases need async I/O and are left.
        let stopped = state.withLock { $0.stopped }
        if !stopped, let server { server.stopAndRemove() }
    }

    private static func isolatedDatabaseName() -> String {
        "odometer_test_" + String(UInt64.random(in: 1...UInt64.max), radix: 16)
    }
}

extension NIOThreadPool {
    /// Runs blocking cleanup on the pool; if the pool is shut down, runs it on the current thread instead.
    fileprivate func runIfActiveOrIgnore(_ body: @escaping @Sendable () -> Void) async {
        do {
            try await runIfActive(body)
        } catch {
            body()
        }
    }
}
