import Foundation
import PostgresStore
#if canImport(Glibc)
import Glibc
#endif

/// `odometer bench` shares two cores with the throwaway Postgres it starts, while in production
/// Postgres has a host of its own. Linux schedules by autogroup (one per session): every Postgres
/// backend is a session leader, so a flush's backend is one group against the pipeline's whole
/// process, and got about two thirds of a core beside a busy pipeline (README, Benchmarks). The
/// bench therefore runs in a session of its own whose autogroup is at `pipelineNice`: the
/// backends get the CPU they would have alone, and the pipeline the rest (measured: (d) the same
/// within the noise, the flush at 0.79–0.92 of COPY's speed instead of 0.54–0.73). A process
/// cannot leave its session while it leads a process group (as a shell's job does), so the
/// command runs itself again in a new session.
enum BenchSession {
    /// The autogroup nice of the bench's own session (0 to 19; higher yields more).
    static let pipelineNice = 10
    private static let marker = "ODOMETER_BENCH_OWN_SESSION"
    private static let autogroup = "/proc/self/autogroup"

    /// Runs this command again in a new session and returns its exit status; nil when this is
    /// that run already, or when the kernel has no autogroups (then the bench runs as it is).
    static func runInOwnSession() -> Int32? {
        #if os(Linux)
        guard ProcessInfo.processInfo.environment[marker] == nil,
              FileManager.default.isWritableFile(atPath: autogroup) else { return nil }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // POSIX_SPAWN_SETSID (glibc ≥ 2.26, behind _GNU_SOURCE, so not imported into Swift).
        posix_spawnattr_setflags(&attributes, 0x80)
        var environment = ProcessInfo.processInfo.environment
        environment[marker] = "1"
        let arguments = CommandLine.arguments.map { strdup($0) } + [nil]
        let variables = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            arguments.forEach { free($0) }
            variables.forEach { free($0) }
        }
        var child: pid_t = 0
        // The executable's own path, so the process keeps its name (`/proc/self/exe` would be "exe").
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? "/proc/self/exe"
        guard posix_spawn(&child, executable, nil, &attributes, arguments, variables) == 0 else { return nil }
        // The new session has no terminal: pass an interrupt or a termination on.
        let spawned = child
        let forwards = onInterrupt { kill(spawned, $0) }
        // A child that cannot be waited for ended in a way nobody can tell: not a success.
        let status = (try? ChildExit.wait(for: spawned)) ?? 1
        forwards.forEach { $0.cancel() }
        return status
        #else
        return nil
        #endif
    }

    /// In the process that does the work: an interrupt, a termination or a hang-up first stops
    /// the throwaway Postgres (a session of its own, which would outlive the process and keep its
    /// directory), then ends the process with the status the signal gives. Keep the sources. (A
    /// closed output raises no signal: the process ignores SIGPIPE, and the bench runs on.)
    static func stopPostgresOnSignal() -> [any DispatchSourceSignal] {
        onInterrupt { signalNumber in
            ThrowawayServers.stopAll()
            exit(128 + signalNumber)
        }
    }

    /// Runs `body` with the signal's number on each SIGINT, SIGTERM and SIGHUP instead of their
    /// default action, until the returned sources are cancelled.
    private static func onInterrupt(_ body: @escaping @Sendable (Int32) -> Void) -> [any DispatchSourceSignal] {
        [SIGINT, SIGTERM, SIGHUP].map { signalNumber in
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber)
            source.setEventHandler { body(signalNumber) }
            source.resume()
            return source
        }
    }

    /// In the bench's own session: lowers its autogroup's weight. Returns the nice it set, or
    /// nil outside such a session.
    static func yieldToPostgres() -> Int? {
        guard ProcessInfo.processInfo.environment[marker] != nil,
              (try? "\(pipelineNice)".write(toFile: autogroup, atomically: false, encoding: .utf8)) != nil else { return nil }
        return pipelineNice
    }
}
