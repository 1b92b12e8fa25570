import KafkaClient
import OdometerTestSupport
import Synchronization
import Testing

@Suite("Consumer group behaviour on the mock cluster")
struct ConsumerGroupTests {
    struct OffsetStoreDown: Error, CustomStringConvertible {
        var description: String { "postgres is down" }
    }

    /// Produces `count` unkeyed messages to each partition of `topic`.
    static func fill(_ cluster: KafkaMockCluster, topic: String, partitions: Int32, count: Int) throws {
        try cluster.createTopic(topic, partitions: partitions)
        let producer = try KafkaProducer(bootstrapServers: cluster.bootstrapServers, logger: nil)
        for partition in 0..<partitions {
            for index in 0..<count {
                try producer.produce(topic: topic, partition: partition, key: nil, value: Array("m\(index)".utf8))
            }
        }
        try producer.flush(timeout: .seconds(20))
    }

    static func partitions(_ topic: String, _ numbers: ClosedRange<Int32>) -> [KafkaTopicPartition] {
        numbers.map { KafkaTopicPartition(topic: topic, partition: $0) }
    }

    /// True if `events` are assigned/revoked pairs, each revoke naming what was assigned.
    static func isEagerSequence(_ events: [RecordingHandler.Event]) -> Bool {
        guard events.count.isMultiple(of: 2) else { return false }
        return stride(from: 0, to: events.count, by: 2).allSatisfy { index in
            if case let .assigned(given) = events[index], case let .revoked(taken) = events[index + 1] {
                return given == taken
            }
            return false
        }
    }

    @Test func eachPartitionStartsAtTheOffsetTheHandlerReturns() async throws {
        let cluster = try KafkaMockCluster(brokers: 1, logger: nil)
        defer { cluster.close() }
        try Self.fill(cluster, topic: "usage", partitions: 2, count: 1_000)
        let handler = RecordingHandler(startOffsets: { _ in [KafkaTopicPartition(topic: "usage", partition: 0): 500] })
        let consumer = try KafkaBatchConsumer(configuration: testConsumerConfiguration(cluster, group: "resume"),
                                              handler: handler, logger: nil)

        try consumer.start(subscribing: ["usage"])
        let done = try await eventually(within: .seconds(20)) { handler.snapshot.total == 1_500 }
        consumer.stop()

        #expect(done)
        let logs = handler.snapshot.partitions
        #expect(logs[KafkaTopicPartition(topic: "usage", partition: 0)]
            == RecordingHandler.PartitionLog(count: 500, firstOffset: 500, nextOffset: 1_000, discontinuities: 0))
        #expect(logs[KafkaTopicPartition(topic: "usage", partition: 1)]
            == RecordingHandler.PartitionLog(count: 1_000, firstOffset: 0, nextOffset: 1_000, discontinuities: 0))
    }

    @Test func whenOneMemberStopsTheOtherIsAssignedEveryPartition() async throws {
        let cluster = try KafkaMockCluster(brokers: 1, logger: nil)
        defer { cluster.close() }
        try Self.fill(cluster, topic: "usage", partitions: 4, count: 10)
        let first = RecordingHandler()
        let second = RecordingHandler()
        let firstConsumer = try KafkaBatchConsumer(
            configuration: testConsumerConfiguration(cluster, group: "pair"), handler: first, logger: nil)
        let secondConsumer = try KafkaBatchConsumer(
            configuration: testConsumerConfiguration(cluster, group: "pair"), handler: second, logger: nil)

        try firstConsumer.start(subscribing: ["usage"])
        #expect(try await eventually(within: .seconds(20)) { first.snapshot.owned.count == 4 })
        try secondConsumer.start(subscribing: ["usage"])
        let split = try await eventually(within: .seconds(30)) {
            first.snapshot.owned.count == 2 && second.snapshot.owned.count == 2
        }
        #expect(split)
        #expect(first.snapshot.owned.isDisjoint(with: second.snapshot.owned))

        firstConsumer.stop()
        let takenOver = try await eventually(within: .seconds(30)) { second.snapshot.owned.count == 4 }
        secondConsumer.stop()

        #expect(takenOver)
        let all = Self.partitions("usage", 0...3)
        let firstEvents = first.snapshot.events
        let secondEvents = second.snapshot.events
        // Eager protocol: every assignment is revoked as a whole before the next one.
        #expect(Self.isEagerSequence(firstEvents))
        #expect(Self.isEagerSequence(secondEvents))
        #expect(firstEvents.first == .assigned(all))
        #expect(firstEvents.count >= 4)
        #expect(firstEvents.dropFirst(2).allSatisfy { $0.partitions.count == 2 })
        #expect(secondEvents.suffix(2) == [.assigned(all), .revoked(all)])
        #expect(secondEvents.dropLast(2).allSatisfy { $0.partitions.count == 2 })
        #expect(first.snapshot.messagesOutsideAssignment == 0)
        #expect(second.snapshot.messagesOutsideAssignment == 0)
    }

    @Test func aCrashedMemberLosesItsPartitionsAfterTheSessionTimeoutWithoutRevoke() async throws {
        let cluster = try KafkaMockCluster(brokers: 1, logger: nil)
        defer { cluster.close() }
        try Self.fill(cluster, topic: "usage", partitions: 2, count: 10)
        let crashing = RecordingHandler()
        let survivor = RecordingHandler()
        let crashingConsumer = try KafkaBatchConsumer(
            configuration: testConsumerConfiguration(cluster, group: "crash", strategy: .roundRobin),
            handler: crashing, logger: nil)
        let survivingConsumer = try KafkaBatchConsumer(
            configuration: testConsumerConfiguration(cluster, group: "crash", strategy: .roundRobin),
            handler: survivor, logger: nil)
        try crashingConsumer.start(subscribing: ["usage"])
        try survivingConsumer.start(subscribing: ["usage"])
        let split = try await eventually(within: .seconds(30)) {
            crashing.snapshot.owned.count == 1 && survivor.snapshot.owned.count == 1
        }
        #expect(split)

        crashingConsumer.stopWithoutLeaving()
        let takenOver = try await eventually(within: .seconds(30)) { survivor.snapshot.owned.count == 2 }
        survivingConsumer.stop()

        #expect(takenOver)
        #expect(crashing.snapshot.events.last.map { if case .assigned = $0 { true } else { false } } == true)
        #expect(crashingConsumer.outcome == .stopped)
    }

    @Test func aFailingOffsetStoreStopsTheConsumerWithItsReason() async throws {
        let cluster = try KafkaMockCluster(brokers: 1, logger: nil)
        defer { cluster.close() }
        try cluster.createTopic("usage", partitions: 1)
        let handler = RecordingHandler(startOffsets: { _ in throw OffsetStoreDown() })
        let consumer = try KafkaBatchConsumer(configuration: testConsumerConfiguration(cluster, group: "broken"),
                                              handler: handler, logger: nil)

        try consumer.start(subscribing: ["usage"])
        let outcome = await consumer.finished()

        #expect(outcome == .failed(.assignmentHandlerFailed(reason: "postgres is down")))
        #expect(handler.snapshot.total == 0)
    }

    @Test func aPartitionPausedOnAssignmentDeliversNothingUntilResumed() async throws {
        let cluster = try KafkaMockCluster(brokers: 1, logger: nil)
        defer { cluster.close() }
        try Self.fill(cluster, topic: "usage", partitions: 2, count: 100)
        let zero = KafkaTopicPartition(topic: "usage", partition: 0)
        let one = KafkaTopicPartition(topic: "usage", partition: 1)
        let consumerBox = Mutex<KafkaBatchConsumer?>(nil)
        // Back-pressure as the pipeline applies it: from a handler callback, on the consumer thread.
        let handler = RecordingHandler(startOffsets: { _ in
            consumerBox.withLock { $0 }?.pause([zero])
            return [:]
        })
        let consumer = try KafkaBatchConsumer(
            configuration: testConsumerConfiguration(cluster, group: "paused", batchSize: 10),
            handler: handler, logger: nil)
        consumerBox.withLock { $0 = consumer }
        defer { consumerBox.withLock { $0 = nil } }

        try consumer.start(subscribing: ["usage"])
        let otherDone = try await eventually(within: .seconds(20)) { handler.snapshot.partitions[one]?.count == 100 }
        let zeroMoved = try await eventually(within: .milliseconds(300)) { handler.snapshot.partitions[zero]?.count != 0 }
        consumer.resume([zero])
        let resumed = try await eventually(within: .seconds(20)) { handler.snapshot.partitions[zero]?.count == 100 }
        consumer.stop()

        #expect(otherDone)
        #expect(!zeroMoved)
        #expect(resumed)
        #expect(handler.snapshot.partitions[zero]
            == RecordingHandler.PartitionLog(count: 100, firstOffset: 0, nextOffset: 100, discontinuities: 0))
    }
}
