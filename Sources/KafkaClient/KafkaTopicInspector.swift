import CRdKafka
public import Logging

/// The low and high watermark of one partition: the first offset still in the log and the
/// offset the next message will get. A plain value.
public struct KafkaWatermarks: Hashable, Sendable {
    public var low: Int64
    public var high: Int64

    public init(low: Int64, high: Int64) {
        self.low = low
        self.high = high
    }

    /// Messages currently held by the partition (offsets low..<high).
    public var messageCount: Int64 { high - low }
}

/// Reads topic metadata and partition watermarks: for tests, the load generator, and a
/// "can we reach Kafka at all" check that fails with a clear error instead of hanging.
///
/// Owns a small producer-type client that never produces and never creates topics. Every
/// query is synchronous and bounded by `timeout`. Thread-safe (librdkafka's metadata and
/// watermark queries are).
public final class KafkaTopicInspector: @unchecked Sendable {
    // @unchecked Sendable is safe: `handle` is immutable and the queries used are thread-safe.
    private let handle: OpaquePointer
    private let context: ClientContext
    public let bootstrapServers: String
    public let timeout: Duration

    public init(bootstrapServers: String, properties: [String: String] = [:], timeout: Duration = .seconds(10),
                logger: Logger? = Logger(label: "odometer.kafka.inspector")) throws {
        var settings = LibrdkafkaConfiguration(defaults: ["allow.auto.create.topics": "false"],
                                               overrides: KafkaClientRole.producer.applicable(properties))
        settings["bootstrap.servers"] = bootstrapServers
        let context = ClientContext(logger: logger, bootstrapServers: bootstrapServers)
        let conf = try settings.makeConf()
        context.install(on: conf)
        handle = try makeLibrdkafkaHandle(RD_KAFKA_PRODUCER, conf: conf)
        self.context = context
        self.bootstrapServers = bootstrapServers
        self.timeout = timeout
    }

    deinit { rd_kafka_destroy(handle) }

    /// The number of partitions of `topic`; throws `unknownTopic` if it does not exist and
    /// `unreachable` if no broker answers within `timeout`.
    ///
    /// Asks for the metadata of every topic and looks for this one: a request naming the topic
    /// (or a topic handle) may make a broker with `auto.create.topics.enable` create it.
    public func partitionCount(topic: String) throws -> Int32 {
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let result = rd_kafka_metadata(handle, 1, nil, &metadata, timeout.librdkafkaMilliseconds)
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else { throw failure(result, topic: topic) }
        defer { rd_kafka_metadata_destroy(metadata) }
        let topics = UnsafeBufferPointer(start: metadata.pointee.topics, count: Int(metadata.pointee.topic_cnt))
        guard let entry = topics.first(where: { String(cString: $0.topic) == topic }) else {
            throw KafkaError.unknownTopic(topic: topic, bootstrapServers: bootstrapServers)
        }
        guard entry.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError.queryFailed(topic: topic, reason: errorText(entry.err))
        }
        return entry.partition_cnt
    }

    /// `(low, high)` of every partition of `topic`, keyed by partition number.
    public func watermarks(topic: String) throws -> [Int32: KafkaWatermarks] {
        try watermarks(topic: topic, partitions: Array(0..<partitionCount(topic: topic)))
    }

    /// `(low, high)` of `partitions` of `topic`, keyed by partition number.
    public func watermarks(topic: String, partitions: [Int32]) throws -> [Int32: KafkaWatermarks] {
        var result: [Int32: KafkaWatermarks] = [:]
        for partition in partitions {
            var low: Int64 = -1
            var high: Int64 = -1
            let code = rd_kafka_query_watermark_offsets(handle, topic, partition, &low, &high,
                                                        timeout.librdkafkaMilliseconds)
            guard code == RD_KAFKA_RESP_ERR_NO_ERROR else { throw failure(code, topic: topic) }
            result[partition] = KafkaWatermarks(low: low, high: high)
        }
        return result
    }

    private func failure(_ code: rd_kafka_resp_err_t, topic: String) -> KafkaError {
        switch code {
        case RD_KAFKA_RESP_ERR__TIMED_OUT, RD_KAFKA_RESP_ERR__TRANSPORT, RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN,
             RD_KAFKA_RESP_ERR__RESOLVE:
            rd_kafka_poll(handle, 0)  // serve error events, so the broker's own reason is known
            let reason = context.lastBrokerError ?? errorText(code)
            return .unreachable(bootstrapServers: bootstrapServers, reason: reason)
        case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
            return .unknownTopic(topic: topic, bootstrapServers: bootstrapServers)
        default:
            return .queryFailed(topic: topic, reason: errorText(code))
        }
    }
}
