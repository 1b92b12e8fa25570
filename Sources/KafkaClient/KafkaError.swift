/// Everything that can go wrong in the Kafka adapter. Each message says what to fix.
///
/// librdkafka's own error text is carried verbatim (`reason`) so that an operator can search
/// for it; the surrounding sentence names the setting or component to look at.
public enum KafkaError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A librdkafka property was rejected (unknown name or invalid value). Neither case nor
    /// message holds the value: it may be a secret (`sasl.password`, or a misspelled one).
    case invalidProperty(name: String, reason: String)
    /// A consumer setting that this wrapper cannot honour (e.g. a cooperative assignor).
    case unsupportedSetting(name: String, value: String, reason: String)
    /// No broker answered within the timeout.
    case unreachable(bootstrapServers: String, reason: String)
    /// librdkafka refused to create a client handle.
    case clientCreationFailed(reason: String)
    /// The in-process mock cluster could not be started or changed.
    case mockClusterFailed(reason: String)
    /// The topic does not exist on the cluster.
    case unknownTopic(topic: String, bootstrapServers: String)
    /// A metadata or watermark query failed for a reason other than reachability.
    case queryFailed(topic: String, reason: String)
    /// The producer could not enqueue a message (not a full queue: that is retried).
    case produceFailed(topic: String, reason: String)
    /// Messages produced since the last flush were rejected or timed out.
    case deliveryFailed(failedCount: Int, firstError: String)
    /// `flush` gave up with messages still in flight.
    case flushTimedOut(outstanding: Int, timeoutMilliseconds: Int, lastBrokerError: String?)
    /// Subscribing to the topics failed.
    case subscribeFailed(topics: [String], reason: String)
    /// The batch handler threw from `partitionsAssigned`; the consumer stopped.
    case assignmentHandlerFailed(reason: String)
    /// librdkafka raised a fatal error; the client instance is unusable.
    case fatal(reason: String)
    /// `start` was called on a consumer that was already started or stopped.
    case consumerAlreadyStarted

    public var description: String {
        switch self {
        case let .invalidProperty(name, reason):
            return "Kafka setting `\(name)` is not accepted by librdkafka: \(reason). "
                + "Fix or remove it in the Kafka properties."
        case let .unsupportedSetting(name, value, reason):
            return "Kafka setting `\(name)` = `\(value)` is not supported here: \(reason)."
        case let .unreachable(bootstrapServers, reason):
            return "cannot reach Kafka at \(bootstrapServers): \(reason). "
                + "Check `kafka.brokers` and that the brokers are running and reachable."
        case let .clientCreationFailed(reason):
            return "cannot create the Kafka client: \(reason). Check the Kafka properties."
        case let .mockClusterFailed(reason):
            return "the in-process Kafka mock cluster failed: \(reason)."
        case let .unknownTopic(topic, bootstrapServers):
            return "topic `\(topic)` does not exist on \(bootstrapServers). "
                + "Create it, or fix `kafka.topic`."
        case let .queryFailed(topic, reason):
            return "cannot read metadata of topic `\(topic)`: \(reason)."
        case let .produceFailed(topic, reason):
            return "cannot produce to topic `\(topic)`: \(reason)."
        case let .deliveryFailed(failedCount, firstError):
            return "\(failedCount) message(s) were not delivered since the last flush; "
                + "first error: \(firstError). Check the brokers and the topic."
        case let .flushTimedOut(outstanding, timeoutMilliseconds, lastBrokerError):
            let cause = lastBrokerError.map { " Last broker error: \($0)." } ?? ""
            return "\(outstanding) message(s) still undelivered after \(timeoutMilliseconds) ms.\(cause) "
                + "Check that Kafka is reachable, or allow a longer flush timeout."
        case let .subscribeFailed(topics, reason):
            return "cannot subscribe to \(topics.joined(separator: ", ")): \(reason). Check the topic names."
        case let .assignmentHandlerFailed(reason):
            return "the consumer stopped because reading the start offsets failed: \(reason)."
        case let .fatal(reason):
            return "Kafka client hit a fatal error and stopped: \(reason)."
        case .consumerAlreadyStarted:
            return "this Kafka consumer was already started; create a new one to consume again."
        }
    }
}
