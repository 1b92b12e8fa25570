import KafkaClient
import Testing

@Suite("An unreachable cluster fails clearly instead of hanging")
struct UnreachableClusterTests {
    /// Port 1 on loopback: nothing listens there, so connections are refused at once.
    static let nowhere = "127.0.0.1:1"

    @Test func metadataQueriesFailWithCannotReachKafka() throws {
        let inspector = try KafkaTopicInspector(bootstrapServers: Self.nowhere, timeout: .seconds(2), logger: nil)
        let clock = ContinuousClock()
        let start = clock.now

        let error = #expect(throws: KafkaError.self) { try inspector.partitionCount(topic: "usage") }

        #expect(clock.now - start < .seconds(5))
        guard case let .unreachable(servers, reason)? = error else {
            Issue.record("expected .unreachable, got \(String(describing: error))")
            return
        }
        #expect(servers == Self.nowhere)
        #expect(reason.contains("Connection refused"))
        #expect(error?.description.hasPrefix("cannot reach Kafka at 127.0.0.1:1: ") == true)
    }

    @Test func flushGivesUpAfterItsTimeoutAndSaysWhy() throws {
        let producer = try KafkaProducer(bootstrapServers: Self.nowhere, logger: nil)
        try producer.produce(topic: "usage", key: nil, value: Array("event".utf8))

        let error = #expect(throws: KafkaError.self) { try producer.flush(timeout: .seconds(5)) }

        guard case let .flushTimedOut(outstanding, timeout, lastBrokerError)? = error else {
            Issue.record("expected .flushTimedOut, got \(String(describing: error))")
            return
        }
        #expect(outstanding == 1)
        #expect(timeout == 5_000)
        #expect(lastBrokerError?.contains("Connection refused") == true)
    }

    @Test func aConsumerThatNeverReachedTheClusterStillStops() throws {
        let handler = RecordingHandler()
        let consumer = try KafkaBatchConsumer(
            configuration: KafkaConsumerConfiguration(bootstrapServers: Self.nowhere, groupID: "lonely",
                                                      sessionTimeout: .seconds(6)),
            handler: handler, logger: nil)
        try consumer.start(subscribing: ["usage"])
        let clock = ContinuousClock()
        let start = clock.now

        consumer.stop()

        #expect(clock.now - start < .seconds(10))
        #expect(consumer.outcome == .stopped)
        #expect(handler.snapshot.events == [])
    }
}
