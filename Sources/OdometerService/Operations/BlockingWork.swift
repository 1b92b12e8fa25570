import Foundation

/// Runs a blocking call (a librdkafka query or scan) on its own OS thread, off the cooperative
/// thread pool, and suspends until it returns.
public enum BlockingWork {
    public static func run<Value: Sendable>(_ body: @escaping @Sendable () throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
        }
    }
}
