import Foundation

/// Runs the built `odometer` binary, which sits next to the test bundle.
struct CommandRunner: Sendable {
    struct Result: Sendable {
        var status: Int32
        var output: String
        var error: String
    }

    static var binary: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("odometer")
    }

    let environment: [String: String]

    init(environment: [String: String] = [:]) {
        var merged = ProcessInfo.processInfo.environment
        merged.merge(environment) { _, new in new }
        self.environment = merged
    }

    /// Runs to completion and captures both streams. Waits by polling with `Task.sleep`, never by
    /// blocking: the cooperative pool has one thread per core, and a child process talking to an
    /// in-process fake (Stripe, Lago, Odoo) needs that pool to get its answers.
    func run(_ arguments: [String], timeout: Duration = .seconds(120)) async throws -> Result {
        let process = try start(arguments)
        if !(await process.waitForExit(timeout: timeout)) { process.process.terminate() }
        return await process.finish()
    }

    /// Starts a long-running command (serve); `finish` collects its output after it exits.
    func start(_ arguments: [String]) throws -> RunningCommand {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        process.environment = environment
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("odometer-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let out = directory.appendingPathComponent("stdout")
        let err = directory.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return RunningCommand(process: process, directory: directory)
    }
}

/// A started child process writing to files (no pipes, so it can never block on a full one).
final class RunningCommand: @unchecked Sendable {
    // @unchecked Sendable is safe: used by one test at a time; Process is only read after start.
    let process: Process
    let directory: URL

    init(process: Process, directory: URL) {
        self.process = process
        self.directory = directory
    }

    /// Waits for the child to exit (without blocking a thread) and collects its output.
    func finish() async -> CommandRunner.Result {
        while process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
        process.waitUntilExit()   // returns at once: reaps the exited child
        let output = (try? String(contentsOf: directory.appendingPathComponent("stdout"), encoding: .utf8)) ?? ""
        let error = (try? String(contentsOf: directory.appendingPathComponent("stderr"), encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(at: directory)
        return .init(status: process.terminationStatus, output: output, error: error)
    }

    /// Sends SIGTERM (graceful shutdown) and waits.
    func terminate() async -> CommandRunner.Result {
        process.terminate()
        return await finish()
    }

    var pid: Int32 { process.processIdentifier }
    var isRunning: Bool { process.isRunning }

    /// Sends `signal` (SIGKILL, SIGSTOP, SIGCONT, ...) to the child.
    func send(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// Waits until the child has exited, at most `timeout`; returns whether it has.
    func waitForExit(timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        return !process.isRunning
    }

    /// What the child wrote to standard error so far.
    var errorSoFar: String {
        (try? String(contentsOf: directory.appendingPathComponent("stderr"), encoding: .utf8)) ?? ""
    }
}
