@testable import OdometerService
import Testing

/// A flush whose Postgres work never returns (postgres-nio loses a COPY writer when its
/// connection closes under back-pressure) fails at its deadline instead of holding the pipeline
/// for ever; work that finishes in time gives its value or its error.
@Suite struct FlushDeadlineTests {
    struct Refused: Error {}

    @Test func workThatNeverEndsFailsAtTheDeadline() async throws {
        let stuck = Task<Int, any Error> {
            await withUnsafeContinuation { (_: UnsafeContinuation<Void, Never>) in }   // never resumed
            return 1
        }
        await #expect(throws: FlushDeadline.Exceeded.self) {
            try await FlushDeadline.value(of: stuck, within: .milliseconds(100), clock: ContinuousClock())
        }
    }

    @Test func workThatEndsInTimeGivesItsValueOrItsError() async throws {
        let quick = Task<Int, any Error> { 42 }
        #expect(try await FlushDeadline.value(of: quick, within: .seconds(60), clock: ContinuousClock()) == 42)
        let failing = Task<Int, any Error> { throw Refused() }
        await #expect(throws: Refused.self) {
            try await FlushDeadline.value(of: failing, within: .seconds(60), clock: ContinuousClock())
        }
    }
}
