import Foundation

/// Awaits a blocking call (librdkafka's flush, which waits up to its timeout for the broker, or a
/// wait for another thread) on a thread of its own, so it holds no thread of the cooperative pool,
/// which has one per core. `BlockingBridge` (OdometerService) goes the other way.
package enum BlockingCall {
    package static func run<Value: Sendable>(_ work: @escaping @Sendable () throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try work() }) }.start()
        }
    }
}
