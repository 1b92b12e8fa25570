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
            name: "batch.num.messages",
            reason: "Invalid value for configuration property \"batch.num.messages\"")) {
            _ = try KafkaProducer(bootstrapServers: "127.0.0.1:1", properties: ["batch.num.messages": "many"], logger: nil)
        }
    }

    @Test func aRejectedPropertyNeverShowsItsValue() {
        // A misspelled secret: librdkafka rejects the name, and neither the error nor its
        // message may carry the password.
        let secret = "hunter2-\(UInt32.random(in: 0 ... .max))"
        do {
            _ = try KafkaProducer(bootstrapServers: "127.0.0.1:1", properties: ["sasl.pasword": secret], logger: nil)
            Issue.record("the misspelled property was accepted")
        } catch {
            #expect(String(describing: error).contains("sasl.pasword"))
            #expect(!String(describing: error).contains(secret))
            #expect(!String(reflecting: error).contains(secret))
        }
        do {
            _ = try KafkaProducer(bootstrapServers: "127.0.0.1:1", properties: ["security.protocol": secret], logger: nil)
            Issue.record("an invalid security protocol was accepted")
        } catch {
            #expect(!String(reflecting: error).contains(secret), "\(error)")
        }
    }

    @Test func everyClientTakesTheSharedPropertiesOfItsRole() throws {
        let shared = ["socket.timeout.ms": "12345", "session.timeout.ms": "7000", "linger.ms": "77"]
        #expect(KafkaClientRole.producer.applicable(shared) == ["socket.timeout.ms": "12345", "linger.ms": "77"])
        #expect(KafkaClientRole.consumer.applicable(shared) == ["socket.timeout.ms": "12345", "session.timeout.ms": "7000"])
        let producer = try KafkaProducer(bootstrapServers: "127.0.0.1:1", properties: shared, logger: nil)
        #expect(producer.setting("socket.timeout.ms") == "12345")
        #expect(producer.setting("linger.ms") == "77")
    }

    @Test func anOffsetResetPolicyOtherThanErrorIsRefused() {
        var configuration = KafkaConsumerConfiguration(bootstrapServers: "127.0.0.1:1", groupID: "g")
        configuration.properties["auto.offset.reset"] = "earliest"
        #expect(throws: KafkaError.self) {
            _ = try KafkaBatchConsumer(configuration: configuration, handler: IgnoringHandler(), logger: nil)
        }
    }

    @Test func anUnknownPropertyIsRejected() {
        #expect(throws: KafkaError.invalidProperty(name: "lingr.ms",
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
