import Foundation
import Testing
import OdometerService
#if canImport(Glibc)
import Glibc
#endif

/// Progress goes to standard error; a long command whose standard error was closed
/// (`odometer bench 2>&1 | head`) must go on and clean up after itself (its throwaway Postgres),
/// not trap on the write.
@Suite(.serialized) struct ProgressReporterTests {
    @Test func aClosedStandardErrorDoesNotStopTheCommand() throws {
        var ends: [Int32] = [0, 0]
        try #require(pipe(&ends) == 0)
        close(ends[0])   // no reader: every write fails with EPIPE
        let saved = dup(STDERR_FILENO)
        let previous = signal(SIGPIPE, SIG_IGN)   // as the commands run: a write fails instead of killing
        dup2(ends[1], STDERR_FILENO)
        let reporter = ProgressReporter(enabled: true)
        reporter.note("a note nobody reads")
        for done in stride(from: 0, through: 100, by: 10) { reporter.update("work", done: done, total: 100) }
        dup2(saved, STDERR_FILENO)
        close(saved)
        close(ends[1])
        signal(SIGPIPE, previous)
        // Reaching this line is the test: the trapping write ended the whole test process (SIGILL).
    }
}
