import OdometerService
import Foundation
import KafkaClient
import Synchronization

/// (a) The raw librdkafka consume rate of a topic: batch poll, count the bytes, release.
/// Nothing is decoded: this is the ceiling any consumer of this topic on this machine has.
/// A ceiling is the best the source can do, and one read of the topic varies by a third from
/// run to run on the bench VM (1.5 to 2.3 M events/s in one hour): the best of `attempts`
/// reads, each by a new consumer group, as (e) is the best of its COPYs.
enum SourceCeiling {
    static func measure(brokers: String, topic: String, messages total: Int, attempts: Int = 3) throws
        -> (eventsPerSecond: Double, megabytesPerSecond: Double, reads: [Double]) {
        var best = try readOnce(brokers: brokers, topic: topic, messages: total)
        var reads = [best.eventsPerSecond]
        for _ in 1..<max(1, attempts) {
            let read = try readOnce(brokers: brokers, topic: topic, messages: total)
            reads.append(read.eventsPerSecond)
            if read.eventsPerSecond > best.eventsPerSecond { best = read }
        }
        return (best.eventsPerSecond, best.megabytesPerSecond, reads)
    }

    private static func readOnce(brokers: String, topic: String,
                                 messages total: Int) throws -> (eventsPerSecond: Double, megabytesPerSecond: Double) {
        let counter = ByteCounter()
        let consumer = try KafkaBatchConsumer(
            configuration: .init(bootstrapServers: brokers, groupID: "bench-ceiling-\(UUID().uuidString.prefix(8))",
                                 sessionTimeout: .seconds(6)),
            handler: counter, logger: nil)
        try consumer.start(subscribing: [topic])
        let deadline = ContinuousClock.now + .seconds(600)
        while counter.messages.load(ordering: .relaxed) < total, ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.005)
        }
        let finished = ContinuousClock.now
        consumer.stop()
        guard let started = counter.firstAt.withLock({ $0 }) else { throw OdometerFailure.environment("no message consumed") }
        let seconds = started.duration(to: finished).seconds
        return (Double(total) / seconds, Double(counter.bytes.load(ordering: .relaxed)) / seconds / 1e6)
    }

    final class ByteCounter: KafkaBatchHandler {
        let messages = Atomic<Int>(0)
        let bytes = Atomic<Int>(0)
        let firstAt = Mutex<ContinuousClock.Instant?>(nil)

        func consume(_ batch: UnsafeBufferPointer<KafkaMessage>) {
            firstAt.withLock { if $0 == nil { $0 = .now } }
            var count = 0
            var size = 0
            for message in batch {
                if !message.isError { count += 1; size += message.payload.count }
                message.release()
            }
            bytes.add(size, ordering: .relaxed)
            messages.add(count, ordering: .relaxed)
        }

        func partitionsAssigned(_ partitions: [KafkaTopicPartition]) throws -> [KafkaTopicPartition: Int64] { [:] }
        func partitionsRevoked(_ partitions: [KafkaTopicPartition]) {}
        func idle() {}
    }
}
