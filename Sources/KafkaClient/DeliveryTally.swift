import Synchronization

/// Counts a producer's delivery reports: how many messages were acknowledged, and which
/// failures happened since the last `flush`.
///
/// Owned by one `KafkaProducer` (through its `ClientContext`). Thread-safe: librdkafka reports
/// deliveries on whichever thread polls (a producing thread waiting for room, or `flush`).
final class DeliveryTally: Sendable {
    private let delivered = Atomic<Int>(0)
    private let failures = Mutex<Failures>(Failures())

    private struct Failures {
        var count = 0
        var first: String?
    }

    /// Messages acknowledged by the cluster since the producer was created.
    var deliveredCount: Int { delivered.load(ordering: .relaxed) }

    func recordDelivered() {
        delivered.add(1, ordering: .relaxed)
    }

    func recordFailure(_ text: String) {
        failures.withLock { failures in
            failures.count += 1
            if failures.first == nil { failures.first = text }
        }
    }

    /// Returns the failures since the previous call and starts a new count.
    func takeFailures() -> (count: Int, first: String?) {
        failures.withLock { failures in
            defer { failures = Failures() }
            return (failures.count, failures.first)
        }
    }
}
