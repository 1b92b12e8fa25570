import Foundation
import Testing
import PostgresStore
#if canImport(Glibc)
import Glibc
#endif

/// A command whose standard error is closed (`2>&-`) still ends with the exit code of DESIGN §4:
/// its one-line failure cannot be written, and that must not turn a failure into a crash. The
/// same for `mock-kafka`, whose output is a line on standard output, with that closed.
@Suite struct ClosedStandardStreamTests {
    @Test func aFailingCommandWithoutStandardErrorStillExitsWithItsCode() throws {
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("odometer-\(UUID().uuidString).yaml").path
        // 1: the configuration cannot be read (the same command with standard error open says so).
        #expect(try exitCode(closing: STDERR_FILENO, ["usage", "--config", missing]) == 1)
    }

    /// `mock-kafka` prints its bootstrap servers on standard output; with that closed it fails
    /// with the environment's exit code (2) instead of trapping on the write (132).
    @Test func mockKafkaWithoutStandardOutputFailsInsteadOfCrashing() throws {
        #expect(try exitCode(closing: STDOUT_FILENO, ["mock-kafka", "--brokers", "1", "--topic", "t:1"]) == 2)
    }

    /// Runs `odometer arguments…` with descriptor `closed` closed and returns its exit code.
    private func exitCode(closing closed: Int32, _ arguments: [String]) throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addclose(&actions, closed)
        let argv: [UnsafeMutablePointer<CChar>?] = ([CommandRunner.binary.path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        try #require(posix_spawn(&pid, CommandRunner.binary.path, &actions, nil, argv, environ) == 0)
        return try ChildExit.wait(for: pid)
    }
}
