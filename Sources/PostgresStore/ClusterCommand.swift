import Foundation

/// One invocation of a Postgres server program, run as `user` when given (needed as root, since `initdb`
/// and `postgres` refuse to run as root). Blocking; call it off the cooperative thread pool.
///
/// Spawned with `posix_spawn` and reaped with `waitpid`, not Foundation's `Process`: `pg_ctl start` leaves a
/// daemon behind that would inherit `Process`'s termination socket and make it wait for the server's exit.
/// The child gets only stdin (/dev/null) and stdout/stderr (the output file); every other descriptor is closed.
struct ClusterCommand {
    var executable: String
    var arguments: [String]
    /// Run as this user through `runuser -u USER --` (or `su USER -c` where runuser is missing).
    var user: String?
    /// Working directory; must be readable by `user`, or the Postgres programs complain.
    var directory: String

    struct Result {
        var status: Int32
        var output: String
    }

    struct SpawnFailure: Error, CustomStringConvertible {
        var executable: String
        var code: Int32
        var description: String { "cannot run \(executable): \(String(cString: strerror(code)))" }
    }

    /// Runs the command to completion; stdout and stderr go to `outputFile`, which is also returned as text.
    func run(outputFile: String) throws -> Result {
        let (launcher, launchArguments) = commandLine()
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputFile, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        _ = GNUSpawnActions.closeFrom?(&actions, 3)
        _ = directory.withCString { GNUSpawnActions.changeDirectory?(&actions, $0) }

        let argv = ([launcher] + launchArguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, launcher, &actions, nil, argv, environ)
        guard spawned == 0 else { throw SpawnFailure(executable: launcher, code: spawned) }

        let status: Int32
        do {
            status = try ChildExit.wait(for: pid)
        } catch {
            throw SpawnFailure(executable: launcher, code: error.code)
        }
        let output = (try? String(contentsOfFile: outputFile, encoding: .utf8)) ?? ""
        return Result(status: status, output: output)
    }

    private func commandLine() -> (String, [String]) {
        guard let user else { return (executable, arguments) }
        for runuser in ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"]
        where FileManager.default.isExecutableFile(atPath: runuser) {
            return (runuser, ["-u", user, "--", executable] + arguments)
        }
        let shellLine = ([executable] + arguments).map(Self.shellQuoted).joined(separator: " ")
        return ("/bin/su", [user, "-s", "/bin/sh", "-c", shellLine])
    }

    private static func shellQuoted(_ word: String) -> String {
        "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

/// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+) and `…_addchdir_np` (2.29+), looked up at run time
/// because Swift imports glibc without `_GNU_SOURCE`. Nil where the C library lacks them; the child then keeps
/// inherited descriptors or the parent's directory, which is harmless for the Postgres programs.
enum GNUSpawnActions {
    typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    typealias ChangeDirectory = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>,
                                                UnsafePointer<CChar>) -> Int32

    static let closeFrom: CloseFrom? = symbol("posix_spawn_file_actions_addclosefrom_np")
    static let changeDirectory: ChangeDirectory? = symbol("posix_spawn_file_actions_addchdir_np")

    private static func symbol<Function>(_ name: String) -> Function? {
        guard let address = dlsym(dlopen(nil, RTLD_NOW), name) else { return nil }
        return unsafeBitCast(address, to: Function.self)
    }
}

/// Facts about the current process that decide how the cluster is started.
enum ProcessIdentity {
    static var isRoot: Bool { geteuid() == 0 }

    /// The uid and gid of a named system user, or nil when it does not exist.
    static func ids(ofUser name: String) -> (uid: uid_t, gid: gid_t)? {
        guard let entry = getpwnam(name) else { return nil }
        return (entry.pointee.pw_uid, entry.pointee.pw_gid)
    }
}
