import Synchronization

/// Bounds a probe in time: the sampler asks Postgres and Kafka every few seconds, and a
/// server that is down must show as "unreachable" within seconds, not after a pool's or a
/// client's own retry schedule.
enum ProbeDeadline {
    struct Exceeded: Error, CustomStringConvertible {
        var what: String
        var limit: Duration
        var description: String { "\(what) did not answer within \(limit)" }
    }

    /// `body`'s result, or `Exceeded` once `limit` passes (`body` is then cancelled and left
    /// to finish on its own, so a call that ignores cancellation cannot hold the caller).
    static func run<Value: Sendable>(_ what: String, within limit: Duration,
                                     _ body: @escaping @Sendable () async throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Value, any Error>) in
            let race = Race(continuation)
            let work = Task { race.finish(await Result(catching: { try await body() })) }
            Task {
                try? await Task.sleep(for: limit)
                race.finish(.failure(Exceeded(what: what, limit: limit)))
                work.cancel()
            }
        }
    }

    /// Resumes the continuation with whichever result comes first.
    private final class Race<Value: Sendable>: Sendable {
        private let continuation: Mutex<CheckedContinuation<Value, any Error>?>

        init(_ continuation: CheckedContinuation<Value, any Error>) { self.continuation = Mutex(continuation) }

        func finish(_ result: Result<Value, any Error>) {
            continuation.withLock { $0.take() }?.resume(with: result)
        }
    }
}

extension Result where Failure == any Error {
    fileprivate init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
