import Foundation
import Testing
import PostgresStore
#if canImport(Glibc)
import Glibc
#endif

/// A command whose standard error is closed (`2>&-`) still ends with the exit code of DESIGN §4:
/// its one-line failure cannot be written, and that must not turn a failure into a crash.
@Suite struct ClosedStandardErrorTests {
    @Test func aFailingCommandWithoutStandardErrorStillExitsWithItsCode() throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addclose(&actions, STDERR_FILENO)
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("odometer-\(UUID().uuidString).yaml").path
        let words: [String] = [CommandRunner.binary.path, "usage", "--config", missing]
        let argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        try #require(posix_spawn(&pid, CommandRunner.binary.path, &actions, nil, argv, environ) == 0)
        // 1: the configuration cannot be read (the same command with standard error open says so).
        #expect(try ChildExit.wait(for: pid) == 1)
    }

    /// `mock-kafka` prints its bootstrap servers on standard output; with that closed it fails
    /// with the environment's exit code (2) instead of trapping on the write (132).
    @Test func mockKafkaWithoutStandardOutputFailsInsteadOfCrashing() throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addclose(&actions, STDOUT_FILENO)
        let words: [String] = [CommandRunner.binary.path, "mock-kafka", "--brokers", "1", "--topic", "t:1"]
        let argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        try #require(posix_spawn(&pid, CommandRunner.binary.path, &actions, nil, argv, environ) == 0)
        #expect(try ChildExit.wait(for: pid) == 2)
    }
}
