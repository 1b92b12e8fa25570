import Foundation
import KafkaClient
import OdometerTestSupport
import Synchronization
import Testing

/// Stands in for the Postgres offset table: the next offset of each partition, advanced as
/// each message is processed, read back on assignment. Counts every delivery that breaks
/// exactly-once: a message of a partition its member does not own, or an offset that is not
/// the stored next one (a gap or a repeat).
final class SharedOffsetStore: Sendable {
    struct State {
        var next: [KafkaTopicPartition: Int64] = [:]
        var delivered = 0
        var outsideAssignment = 0
        var outOfSequence = 0
    }

    let state = Mutex(State())

    func process(_ partition: KafkaTopicPartition, offset: Int64, owned: Bool) {
        state.withLock { state in
            if !owned { state.outsideAssignment += 1 }
            if offset != state.next[partition, default: 0] { state.outOfSequence += 1 }
            state.next[partition] = offset + 1
            state.delivered += 1
        }
    }

    func starts(_ partitions: [KafkaTopicPartition]) -> [KafkaTopicPartition: Int64] {
        state.withLock { state in partitions.reduce(into: [:]) { $0[$1] = state.next[$1, default: 0] } }
    }
}

/// A member of the group that processes into the shared store.
final class StoreBackedHandler: KafkaBatchHandler {
    let store: SharedOffsetStore
    let owned = Mutex<Set<KafkaTopicPartition>>([])

    init(store: SharedOffsetStore) { self.store = store }

    func consume(_ messages: UnsafeBufferPointer<KafkaMessage>) {
        let owned = owned.withLock { $0 }
        for message in messages {
            if !message.isError {
                let partition = KafkaTopicPartition(topic: message.topic ?? "?", partition: message.partition)
                store.process(partition, offset: message.offset, owned: owned.contains(partition))
            }
            message.release()
        }
    }

    func partitionsAssigned(_ partitions: [KafkaTopicPartition]) throws -> [KafkaTopicPartition: Int64] {
        owned.withLock { $0.formUnion(partitions) }
        return store.starts(partitions)
    }

    func partitionsRevoked(_ partitions: [KafkaTopicPartition]) {
        owned.withLock { $0.subtract(partitions) }
    }

    func idle() {}
}

@Suite("Partition handover while messages keep flowing")
struct HandoverTests {
    @Test func rebalancesInTheMiddleOfAStreamDeliverEachOffsetExactlyOnce() async throws {
        let cluster = try KafkaMockCluster(brokers: 1, logger: nil)
        defer { cluster.close() }
        try cluster.createTopic("usage", partitions: 4)
        let producer = try KafkaProducer(bootstrapServers: cluster.bootstrapServers, logger: nil)
        let producing = Atomic<Bool>(true)
        // A thread of its own: the test run's cooperative pool (two threads on a 2-core machine)
        // is often busy with other suites, and the stream must keep flowing through the rebalances.
        let producedCount = Atomic<Int>(-1)
        let feeder = Thread {
            var index = 0
            while producing.load(ordering: .relaxed) {
                for _ in 0..<500 {
                    try? producer.produce(topic: "usage", key: Array("acct-\(index % 97)".utf8), value: Array("e\(index)".utf8))
                    index += 1
                }
                Thread.sleep(forTimeInterval: 0.01)
            }
            try? producer.flush(timeout: .seconds(20))
            producedCount.store(index, ordering: .releasing)
        }
        feeder.start()
        let store = SharedOffsetStore()
        let first = StoreBackedHandler(store: store)
        let second = StoreBackedHandler(store: store)
        let configuration = testConsumerConfiguration(cluster, group: "handover", batchSize: 256)
        let firstConsumer = try KafkaBatchConsumer(configuration: configuration, handler: first, logger: nil)
        let secondConsumer = try KafkaBatchConsumer(configuration: configuration, handler: second, logger: nil)

        try firstConsumer.start(subscribing: ["usage"])
        #expect(try await eventually(within: .seconds(20)) { first.owned.withLock { $0.count } == 4 })
        try secondConsumer.start(subscribing: ["usage"])
        #expect(try await eventually(within: .seconds(30)) { second.owned.withLock { $0.count } == 2 })
        firstConsumer.stop()
        #expect(try await eventually(within: .seconds(30)) { second.owned.withLock { $0.count } == 4 })
        producing.store(false, ordering: .relaxed)
        _ = try await eventually(within: .seconds(30)) { producedCount.load(ordering: .acquiring) >= 0 }
        let produced = producedCount.load(ordering: .acquiring)
        let allProcessed = try await eventually(within: .seconds(30)) {
            store.state.withLock { $0.delivered } == produced
        }
        secondConsumer.stop()

        let state = store.state.withLock { $0 }
        #expect(allProcessed)
        #expect(produced > 10_000)
        #expect(state.delivered == produced)
        #expect(state.outsideAssignment == 0)
        #expect(state.outOfSequence == 0)
        let highs = try KafkaTopicInspector(bootstrapServers: cluster.bootstrapServers, logger: nil).watermarks(topic: "usage")
        for (partition, marks) in highs {
            #expect(state.next[KafkaTopicPartition(topic: "usage", partition: partition)] == marks.high)
        }
    }
}
