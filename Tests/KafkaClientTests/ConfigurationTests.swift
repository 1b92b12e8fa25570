import KafkaClient
import Testing

@Suite("Kafka client settings")
struct ConfigurationTests {
    final class IgnoringHandler: KafkaBatchHandler {
        func consume(_ messages: UnsafeBufferPointer<KafkaMessage>) { messages.forEach { $0.release() } }
        func partitionsAssigned(_ partitions: [KafkaTopicPartition]) throws -> [KafkaTopicPartition: Int64] { [:] }
        func partitionsRevoked(_ partitions: [KafkaTopicPartition]) {}
        func idle() {}
    }

    @Test func anInvalidProducerPropertyNamesTheSettingAndTheReason() {
        #expect(throws: KafkaError.invalidProperty(
            name: "batch.num.messages", value: "many",
            reason: "Invalid value for configuration property \"batch.num.messages\"")) {
            _ = try KafkaProducer(bootstrapServers: "127.0.0.1:1", properties: ["batch.num.messages": "many"], logger: nil)
        }
    }

    @Test func anUnknownPropertyIsRejected() {
        #expect(throws: KafkaError.invalidProperty(name: "lingr.ms", value: "5",
                                                   reason: "No such configuration property: \"lingr.ms\"")) {
            _ = try KafkaProducer(bootstrapServers: "127.0.0.1:1", properties: ["lingr.ms": "5"], logger: nil)
        }
    }

    @Test func aCooperativeAssignorIsRefused() {
        var configuration = KafkaConsumerConfiguration(bootstrapServers: "127.0.0.1:1", groupID: "g")
        configuration.properties["partition.assignment.strategy"] = "cooperative-sticky"

        #expect(throws: KafkaError.unsupportedSetting(
            name: "partition.assignment.strategy", value: "cooperative-sticky",
            reason: "only eager assignors (range, roundrobin) are supported by the batch consumer")) {
            _ = try KafkaBatchConsumer(configuration: configuration, handler: IgnoringHandler(), logger: nil)
        }
    }

    @Test func aConsumerCanBeStartedOnlyOnce() throws {
        let consumer = try KafkaBatchConsumer(
            configuration: KafkaConsumerConfiguration(bootstrapServers: "127.0.0.1:1", groupID: "g"),
            handler: IgnoringHandler(), logger: nil)
        try consumer.start(subscribing: ["usage"])

        #expect(throws: KafkaError.consumerAlreadyStarted) { try consumer.start(subscribing: ["usage"]) }
        consumer.stop()
        #expect(consumer.outcome == .stopped)
    }

    @Test func errorMessagesTellTheUserWhatToFix() {
        let error = KafkaError.unreachable(bootstrapServers: "10.0.0.9:9092", reason: "Connection refused")

        #expect(error.description == "cannot reach Kafka at 10.0.0.9:9092: Connection refused. "
            + "Check `kafka.brokers` and that the brokers are running and reachable.")
    }
}
