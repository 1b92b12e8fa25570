import Dispatch

/// Runs async work to completion from a dedicated OS thread (the Kafka consumer thread),
/// blocking that thread. Never call it from a Swift concurrency thread: it would block the
/// cooperative pool.
package enum BlockingBridge {
    package static func run<Value: Sendable>(_ work: @escaping @Sendable () async throws -> Value) throws -> Value {
        let box = ResultBox<Value>()
        let done = DispatchSemaphore(value: 0)
        Task {
            do { box.result = .success(try await work()) } catch { box.result = .failure(error) }
            done.signal()
        }
        done.wait()
        return try box.result!.get()
    }
}

/// The result of the bridged task.
private final class ResultBox<Value: Sendable>: @unchecked Sendable {
    // @unchecked Sendable is safe: `result` is written once by the task before it signals the
    // semaphore, and read by the waiting thread only after `wait()` returns; the semaphore
    // orders the two accesses.
    var result: Result<Value, any Error>?
}
