import Synchronization

/// The throwaway servers this process started and has not stopped. Each server is a session of
/// its own that outlives the process, and a signal ends a process without running its cleanup:
/// a command that can be interrupted (`odometer bench`) stops them here before it exits.
public enum ThrowawayServers {
    private static let running = Mutex<[String: ThrowawayServer]>([:])

    static func started(_ server: ThrowawayServer) {
        running.withLock { $0[server.directory] = server }
    }

    static func stopped(_ server: ThrowawayServer) {
        _ = running.withLock { $0.removeValue(forKey: server.directory) }
    }

    /// The directories of the servers still running (each holds its data, log and socket; for tests).
    public static var directories: [String] { running.withLock { Array($0.keys) } }

    /// Stops every server still running and removes its directory; blocks for as long as
    /// `pg_ctl stop -m fast` takes (about a second each).
    public static func stopAll() {
        let servers = running.withLock { servers in
            defer { servers = [:] }
            return Array(servers.values)
        }
        for server in servers { server.stopAndRemove() }
    }
}
