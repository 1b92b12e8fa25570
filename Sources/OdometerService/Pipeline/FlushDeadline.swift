import Synchronization

/// Waits for a flush's Postgres work, at most `limit`.
///
/// A task group cannot do this: it waits for its children even after it throws, and a child
/// can wait for ever. postgres-nio 1.33.2 loses a COPY writer's back-pressure promise when the
/// connection closes while the writer waits for the socket to drain (Postgres stopped in the
/// middle of a large COPY): `write` never returns, and the flush with it. Past the deadline the
/// flush fails, the pipeline restarts from Postgres (which the fencing makes safe even if the
/// abandoned transaction were to commit later), and the stuck task is left behind, cancelled.
enum FlushDeadline {
    struct Exceeded: Error, CustomStringConvertible {
        let limit: Duration
        var description: String {
            "the flush got no answer from Postgres in \(limit.components.seconds) s; restarting from the offsets in Postgres"
        }
    }

    static func value<Value: Sendable>(of work: Task<Value, any Error>, within limit: Duration,
                                       clock: ContinuousClock) async throws -> Value {
        let race = Race()
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Value, any Error>) in
            race.setTimer(Task {
                try? await clock.sleep(for: limit)
                guard !Task.isCancelled, race.settle() else { return }
                work.cancel()
                continuation.resume(throwing: Exceeded(limit: limit))
            })
            Task {
                let result = await work.result
                guard race.settle() else { return }
                race.cancelTimer()
                continuation.resume(with: result)
            }
        }
    }

    /// Who resumes the continuation: the first of the work and the timer.
    private final class Race: Sendable {
        private let state = Mutex<(settled: Bool, timer: Task<Void, Never>?)>((false, nil))

        func setTimer(_ timer: Task<Void, Never>) { state.withLock { $0.timer = timer } }
        func cancelTimer() { state.withLock { $0.timer?.cancel() } }

        /// True for the first caller only.
        func settle() -> Bool {
            state.withLock { state in
                defer { state.settled = true }
                return !state.settled
            }
        }
    }
}
