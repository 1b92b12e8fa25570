import KafkaClient
import OdometerTestSupport
import Synchronization
import Testing

/// Remembers which event indexes arrived, how often, and on which partition each key landed.
final class DeliveryLedger: Sendable {
    struct State {
        var seen: [UInt8]
        var corrupt = 0
        var partitionOfKey: [String: Int32] = [:]
        var keysOnTwoPartitions = 0
    }

    let accounts: Int
    private let state: Mutex<State>

    init(events: Int, accounts: Int) {
        self.accounts = accounts
        state = Mutex(State(seen: [UInt8](repeating: 0, count: events)))
    }

    func record(_ message: KafkaMessage) {
        let index = SyntheticEvent.decode(value: message.payload, key: message.key, accounts: accounts)
        let key = String(decoding: message.key, as: UTF8.self)
        state.withLock { state in
            guard let index, index < state.seen.count else { state.corrupt += 1; return }
            state.seen[index] &+= 1
            if let partition = state.partitionOfKey[key], partition != message.partition {
                state.keysOnTwoPartitions += 1
            }
            state.partitionOfKey[key] = message.partition
        }
    }

    var result: (exactlyOnce: Int, missing: Int, repeated: Int, corrupt: Int, keysOnTwoPartitions: Int) {
        state.withLock { state in
            (state.seen.count { $0 == 1 }, state.seen.count { $0 == 0 }, state.seen.count { $0 > 1 },
             state.corrupt, state.keysOnTwoPartitions)
        }
    }
}

@Suite("Produce and consume through the mock cluster")
struct RoundTripTests {
    @Test func everyKeyedMessageIsConsumedExactlyOnceWithIntactBytes() async throws {
        let events = 100_000
        let partitions: Int32 = 8
        let cluster = try KafkaMockCluster(brokers: 3, logger: nil)
        defer { cluster.close() }
        try cluster.createTopic("usage", partitions: partitions)
        let producer = try KafkaProducer(bootstrapServers: cluster.bootstrapServers, logger: nil)
        for index in 0..<events {
            let event = SyntheticEvent(index: index, accounts: 1_000)
            var key = event.key
            var value = event.value
            try key.withUTF8 { keyBytes in
                try value.withUTF8 { valueBytes in
                    try producer.produce(topic: "usage", key: UnsafeRawBufferPointer(keyBytes),
                                         value: UnsafeRawBufferPointer(valueBytes))
                }
            }
        }
        try producer.flush(timeout: .seconds(30))
        #expect(producer.deliveredCount == events)

        let watermarks = try KafkaTopicInspector(bootstrapServers: cluster.bootstrapServers, logger: nil)
            .watermarks(topic: "usage")
        #expect(watermarks.count == Int(partitions))
        #expect(watermarks.values.allSatisfy { $0.low == 0 })
        #expect(watermarks.values.reduce(0) { $0 + $1.high } == Int64(events))

        let ledger = DeliveryLedger(events: events, accounts: 1_000)
        let handler = RecordingHandler(inspect: { ledger.record($0) })
        let consumer = try KafkaBatchConsumer(configuration: testConsumerConfiguration(cluster, group: "odometer"),
                                              handler: handler, logger: nil)
        try consumer.start(subscribing: ["usage"])
        let complete = try await eventually(within: .seconds(60)) { handler.snapshot.total >= events }
        consumer.stop()

        #expect(complete)
        let snapshot = handler.snapshot
        #expect(snapshot.total == events)
        for partition in 0..<partitions {
            let log = snapshot.partitions[KafkaTopicPartition(topic: "usage", partition: partition)]
            #expect(log?.count == Int(watermarks[partition]!.high), "partition \(partition)")
            #expect(log?.firstOffset == 0, "partition \(partition)")
            #expect(log?.discontinuities == 0, "partition \(partition)")
        }
        let result = ledger.result
        #expect(result.exactlyOnce == events)
        #expect(result.missing == 0)
        #expect(result.repeated == 0)
        #expect(result.corrupt == 0)
        #expect(result.keysOnTwoPartitions == 0)
        #expect(snapshot.messagesOutsideAssignment == 0)
        #expect(snapshot.errors == [])
        #expect(consumer.outcome == .stopped)
    }

    @Test func headersRoundTripWithTheirBytes() async throws {
        let cluster = try KafkaMockCluster(brokers: 1, logger: nil)
        defer { cluster.close() }
        try cluster.createTopic("usage.dlq", partitions: 1)
        let producer = try KafkaProducer(bootstrapServers: cluster.bootstrapServers, logger: nil)
        try producer.produce(topic: "usage.dlq", key: Array("acct-1".utf8), value: Array("{bad".utf8),
                             headers: [("odometer-reason", Array("invalid_json".utf8)),
                                       ("odometer-source-partition", Array("3".utf8)),
                                       ("odometer-source-offset", Array("1234".utf8)),
                                       ("binary", [0, 255, 7])])
        try producer.flush(timeout: .seconds(10))

        let received = Mutex<[(name: String, value: [UInt8])]>([])
        let reason = Mutex<String?>(nil)
        let handler = RecordingHandler(inspect: { message in
            received.withLock { $0 = message.headers }
            reason.withLock { $0 = message.header("odometer-reason").map { String(decoding: $0, as: UTF8.self) } }
        })
        let consumer = try KafkaBatchConsumer(configuration: testConsumerConfiguration(cluster, group: "dlq-reader"),
                                              handler: handler, logger: nil)
        try consumer.start(subscribing: ["usage.dlq"])
        let arrived = try await eventually(within: .seconds(20)) { handler.snapshot.total == 1 }
        consumer.stop()

        #expect(arrived)
        let headers = received.withLock { $0 }
        #expect(headers.map(\.name) == ["odometer-reason", "odometer-source-partition", "odometer-source-offset", "binary"])
        #expect(headers.map(\.value) == [Array("invalid_json".utf8), Array("3".utf8), Array("1234".utf8), [0, 255, 7]])
        #expect(reason.withLock { $0 } == "invalid_json")
    }
}
