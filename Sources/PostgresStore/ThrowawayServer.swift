import Foundation

/// What went wrong starting a throwaway Postgres; each case says what to install or look at.
public enum LocalPostgresClusterError: Error, Sendable, CustomStringConvertible {
    case binariesNotFound(searched: [String])
    case postgresUserMissing
    case temporaryDirectory(path: String, errno: Int32)
    case initdbFailed(output: String)
    case startFailed(serverLog: String)
    case notOwned

    public var description: String {
        switch self {
        case .binariesNotFound(let searched):
            return "no Postgres server programs (initdb, pg_ctl) found in \(searched.joined(separator: ", ")); "
                + "install Debian's postgresql package, set ODOMETER_PG_BIN to its bin directory, or set DATABASE_URL"
        case .postgresUserMissing:
            return "running as root, but there is no 'postgres' user to run initdb and pg_ctl as (initdb refuses root); "
                + "install Debian's postgresql package, which creates it, or run as an unprivileged user"
        case .temporaryDirectory(let path, let errno):
            return "cannot create or hand over the temporary directory \(path) (errno \(errno)); check that it is writable"
        case .initdbFailed(let output):
            return "initdb failed:\n\(output)"
        case .startFailed(let serverLog):
            return "the throwaway Postgres did not start; its server log:\n\(serverLog)"
        case .notOwned:
            return "this Postgres server was not started by the test (DATABASE_URL), so it cannot be restarted or stopped"
        }
    }
}

/// A Postgres server in its own temporary directory: initdb, pg_ctl start and stop, removal.
///
/// Blocking calls; run them off the cooperative pool. The directory holds `data/` (the cluster), the Unix
/// socket, `server.log` and the output of each command. Immutable value, thread-safe.
struct ThrowawayServer: Sendable {
    let binaries: PostgresBinaries
    let directory: String
    let port: Int
    /// The system user the server runs as; nil to run as the current user.
    let user: String?
    /// False for tests and demo: no fsync (see `startArguments`).
    let durable: Bool

    var dataDirectory: String { directory + "/data" }
    var serverLog: String { directory + "/server.log" }

    /// initdb then pg_ctl start on a free loopback port, retrying when another process takes the port first.
    static func start(binaries: PostgresBinaries, durable: Bool) throws -> ThrowawayServer {
        var user: String?
        var owner: (uid: uid_t, gid: gid_t)?
        if ProcessIdentity.isRoot {
            guard let ids = ProcessIdentity.ids(ofUser: "postgres") else { throw LocalPostgresClusterError.postgresUserMissing }
            (user, owner) = ("postgres", ids)
        }
        let directory = try makeDirectory(base: ProcessIdentity.isRoot ? "/tmp" : NSTemporaryDirectory(), owner: owner)
        do {
            try initdb(binaries: binaries, directory: directory, user: user, durable: durable)
            var attempt = 1
            while true {
                let server = ThrowawayServer(binaries: binaries, directory: directory, port: try FreeLoopbackPort.next(),
                                             user: user, durable: durable)
                let result = try server.command(binaries.pgCtl, server.startArguments(durable: durable)).run(
                    outputFile: directory + "/pg_ctl-start.out")
                if result.status == 0 {
                    ThrowawayServers.started(server)
                    return server
                }
                let log = (try? String(contentsOfFile: server.serverLog, encoding: .utf8)) ?? ""
                let portTaken = log.contains("could not bind") || log.contains("Address already in use")
                if !portTaken || attempt == 5 {
                    throw LocalPostgresClusterError.startFailed(serverLog: log + result.output)
                }
                attempt += 1
            }
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
    }

    /// `pg_ctl restart -m fast` (fault tests: clients see their connections cut); the server keeps its
    /// port and options.
    func restart() throws {
        try control(["restart", "-D", dataDirectory, "-l", serverLog, "-m", "fast", "-w", "-t", "60"], name: "restart")
    }

    /// `pg_ctl stop -m fast`, keeping the cluster for a later `resume()`.
    func pause() throws {
        try control(["stop", "-D", dataDirectory, "-m", "fast", "-w", "-t", "60"], name: "stop")
    }

    /// Starts the cluster again on the same port and settings, after `pause()`.
    func resume() throws {
        try control(startArguments(durable: durable), name: "start")
    }

    private func control(_ arguments: [String], name: String) throws {
        let result = try command(binaries.pgCtl, arguments).run(outputFile: directory + "/pg_ctl-\(name).out")
        guard result.status == 0 else {
            let log = (try? String(contentsOfFile: serverLog, encoding: .utf8)) ?? ""
            throw LocalPostgresClusterError.startFailed(serverLog: String(log.suffix(4000)) + result.output)
        }
    }

    /// pg_ctl stop -m fast, then removes the whole directory. Never throws: this is cleanup.
    func stopAndRemove() {
        ThrowawayServers.stopped(self)
        _ = try? command(binaries.pgCtl, ["stop", "-D", dataDirectory, "-m", "fast", "-w", "-t", "60"])
            .run(outputFile: directory + "/pg_ctl-stop.out")
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The settings of deploy/postgresql/odometer.conf, which the binary cannot read at run time
    /// (a test keeps the two equal). The flush writes hundreds of thousands of rows at a time:
    /// room in shared buffers, checkpoints by time rather than every 1 GB of WAL, and a WAL writer
    /// that keeps up with a COPY, so its commit has little left to write.
    static let flushSettings: [(name: String, value: String)] = [
        ("shared_buffers", "512MB"), ("max_wal_size", "8GB"), ("checkpoint_timeout", "15min"), ("wal_buffers", "64MB"),
        ("wal_writer_delay", "10ms"),
    ]

    private func startArguments(durable: Bool) -> [String] {
        var options = "-c listen_addresses=127.0.0.1 -p \(port) -c unix_socket_directories=\(directory)"
        for (name, value) in Self.flushSettings { options += " -c \(name)=\(value)" }
        if !durable { options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off" }
        return ["start", "-D", dataDirectory, "-l", serverLog, "-w", "-t", "60", "-o", options]
    }

    private func command(_ executable: String, _ arguments: [String]) -> ClusterCommand {
        ClusterCommand(executable: executable, arguments: arguments, user: user, directory: directory)
    }

    private static func initdb(binaries: PostgresBinaries, directory: String, user: String?, durable: Bool) throws {
        var arguments = ["-D", directory + "/data", "-A", "trust", "-U", "odometer", "-E", "UTF8", "--no-locale"]
        if !durable { arguments.append("--no-sync") }
        let result = try ClusterCommand(executable: binaries.initdb, arguments: arguments, user: user, directory: directory)
            .run(outputFile: directory + "/initdb.out")
        guard result.status == 0 else { throw LocalPostgresClusterError.initdbFailed(output: result.output) }
    }

    /// mkdtemp under `base`, handed to `owner` when given (the server user must own its cluster).
    private static func makeDirectory(base: String, owner: (uid: uid_t, gid: gid_t)?) throws -> String {
        let template = (base.hasSuffix("/") ? base : base + "/") + "odometer-pg-XXXXXX"
        var bytes = Array(template.utf8CString)
        guard let created = mkdtemp(&bytes) else {
            throw LocalPostgresClusterError.temporaryDirectory(path: template, errno: errno)
        }
        let directory = String(cString: created)
        if let owner, chown(directory, owner.uid, owner.gid) != 0 {
            let code = errno
            try? FileManager.default.removeItem(atPath: directory)
            throw LocalPostgresClusterError.temporaryDirectory(path: directory, errno: code)
        }
        return directory
    }
}
