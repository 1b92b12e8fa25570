import Foundation
import KafkaClient
import Synchronization

/// Reads the dead-letter topic back with a group consumer of its own.
public enum DeadLetterReader {
    public struct Letter: Sendable, Hashable {
        public var payload: String
        public var reason: String
        public var partition: String
        public var offset: String
    }

    /// Waits (up to 60 s) on a thread of its own, not on the cooperative pool, for `count` letters.
    public static func read(brokers: String, topic: String, count: Int) async throws -> [Letter] {
        try await BlockingCall.run { try readBlocking(brokers: brokers, topic: topic, count: count) }
    }

    private static func readBlocking(brokers: String, topic: String, count: Int) throws -> [Letter] {
        let collector = Collector()
        let consumer = try KafkaBatchConsumer(
            configuration: .init(bootstrapServers: brokers, groupID: "dlq-reader-\(UUID().uuidString.prefix(6))",
                                 sessionTimeout: .seconds(6)),
            handler: collector, logger: nil)
        try consumer.start(subscribing: [topic])
        let deadline = ContinuousClock.now + .seconds(60)
        while collector.letters.withLock({ $0.count }) < count, ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.05)
        }
        consumer.stop()
        return collector.letters.withLock { $0 }
    }

    final class Collector: KafkaBatchHandler {
        let letters = Mutex<[Letter]>([])

        func consume(_ messages: UnsafeBufferPointer<KafkaMessage>) {
            for message in messages {
                defer { message.release() }
                guard !message.isError else { continue }
                func header(_ name: String) -> String {
                    message.header(name).map { String(decoding: $0, as: UTF8.self) } ?? ""
                }
                let letter = Letter(payload: String(decoding: message.payload, as: UTF8.self),
                                    reason: header("odometer-reason"),
                                    partition: header("odometer-source-partition"),
                                    offset: header("odometer-source-offset"))
                letters.withLock { $0.append(letter) }
            }
        }

        func partitionsAssigned(_ partitions: [KafkaTopicPartition]) throws -> [KafkaTopicPartition: Int64] { [:] }
        func partitionsRevoked(_ partitions: [KafkaTopicPartition]) {}
        func idle() {}
    }
}

extension DeadLetterReader {
    /// Every dead letter the topic holds now (its partitions must still start at offset 0).
    public static func readAll(brokers: String, topic: String) async throws -> [Letter] {
        let watermarks = try await BlockingCall.run {
            try KafkaTopicInspector(bootstrapServers: brokers, logger: nil).watermarks(topic: topic)
        }
        precondition(watermarks.values.allSatisfy { $0.low == 0 }, "the dead-letter topic lost its head")
        let count = Int(watermarks.values.reduce(0) { $0 + $1.high })
        return count == 0 ? [] : try await read(brokers: brokers, topic: topic, count: count)
    }
}
