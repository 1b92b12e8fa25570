#if canImport(Glibc)
public import Glibc
#endif

/// How a child spawned with `posix_spawn` ended, as a shell reports it: the code of a normal
/// exit, or 128 + the signal's number for a child a signal ended. Used by `ClusterCommand` (the
/// Postgres programs) and by `odometer bench`, which runs itself again in a session of its own.
public enum ChildExit {
    /// `waitpid` failed with this `errno` (not an interrupt, which is retried).
    public struct WaitFailure: Error {
        public let code: Int32
    }

    /// Reaps `pid`, retrying a wait an interrupt cut short, and returns its exit code.
    public static func wait(for pid: pid_t) throws(WaitFailure) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            let code = errno
            guard code == EINTR else { throw WaitFailure(code: code) }
        }
        let signal = status & 0x7F
        return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
    }
}
