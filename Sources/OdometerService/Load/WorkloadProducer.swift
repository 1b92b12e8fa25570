import Foundation
public import KafkaClient
import MeteringCore
public import MeteringWorkload
public import MeteringWorkload

/// Produces a generated usage stream into a Kafka topic, keyed by subject (so an account's
/// events stay in one partition), optionally at a steady rate. Used by `produce`, `demo`,
/// `bench` and the tests, which recount the totals from the same deterministic stream.
public struct WorkloadProducer: Sendable {
    public let producer: KafkaProducer
    public let topic: String

    public init(producer: KafkaProducer, topic: String) {
        self.producer = producer
        self.topic = topic
    }

    /// Produces the workload's events `first ..< first + count` (see `UsageWorkload.stream`);
    /// waits until Kafka has them all.
    /// - Parameters:
    ///   - rate: events per second, or nil for as fast as possible.
    ///   - progress: called every 50,000 events with the number produced so far.
    public func produce(
        _ workload: UsageWorkload, count: Int, first: Int = 0, seed: UInt64 = 1, rate: Int? = nil,
        progress: (Int) -> Void = { _ in }
    ) throws {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(512)
        let started = ContinuousClock.now
        for (index, event) in workload.stream(count: count, first: first, seed: seed).enumerated() {
            buffer.removeAll(keepingCapacity: true)
            event.render(into: &buffer)
            var key = event.accountID
            try key.withUTF8 { keyBytes in
                try buffer.withUnsafeBytes { value in
                    try producer.produce(topic: topic, key: UnsafeRawBufferPointer(keyBytes), value: value)
                }
            }
            if (index + 1) % 50_000 == 0 { progress(index + 1) }
            if let rate, (index + 1) % 1000 == 0 {
                let due = started + .milliseconds(Int64(index + 1) * 1000 / Int64(rate))
                let now = ContinuousClock.now
                if due > now {
                    let wait = now.duration(to: due).components
                    Thread.sleep(forTimeInterval: Double(wait.seconds) + Double(wait.attoseconds) / 1e18)
                }
            }
        }
        try producer.flush(timeout: .seconds(120))
        progress(count)
    }

    /// Produces raw payloads as they are (tests use it for malformed input).
    public func produceRaw(_ payload: [UInt8], key: String) throws {
        try producer.produce(topic: topic, key: Array(key.utf8), value: payload)
    }
}
