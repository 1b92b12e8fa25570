import Foundation
import Testing
import PostgresStore

/// `ChildExit` reads a child's end as a shell does: its exit code, or 128 + the signal that ended it.
@Suite struct ChildExitTests {
    private func exitOfShell(_ script: String) throws -> Int32 {
        var pid: pid_t = 0
        let words: [String] = ["/bin/sh", "-c", script]
        let argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        // The test process may ignore or block SIGTERM (a serve under test handles it through a
        // dispatch source), and a child inherits both: give the child the default actions and
        // an empty mask.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigfillset(&defaults)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        posix_spawnattr_setsigmask(&attributes, &unblocked)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        let spawned = posix_spawn(&pid, "/bin/sh", nil, &attributes, argv, environ)
        try #require(spawned == 0)
        return try ChildExit.wait(for: pid)
    }

    @Test func aNormalExitGivesItsCode() throws {
        #expect(try exitOfShell("exit 0") == 0)
        #expect(try exitOfShell("exit 3") == 3)
    }

    @Test func aChildASignalEndedGives128PlusTheSignal() throws {
        #expect(try exitOfShell("kill -TERM $$") == 128 + SIGTERM)
        #expect(try exitOfShell("kill -KILL $$") == 128 + SIGKILL)
    }

    @Test func aChildThatIsNotOursCannotBeWaitedFor() {
        // pid 1 is no child of the test process: waitpid fails with ECHILD, which is not retried.
        #expect(throws: ChildExit.WaitFailure.self) { try ChildExit.wait(for: 1) }
    }
}
