/// Settings of a `KafkaBatchConsumer`. A plain value.
///
/// Offsets are not Kafka's business here: auto-commit and the automatic offset store are off,
/// and each assigned partition starts where the handler says. An offset that is out of range
/// (below the log start, or past its end) is never reset silently: `auto.offset.reset` is
/// `error`, so the partition stops with an `__AUTO_OFFSET_RESET` event for the handler
/// (DESIGN §5), and a property that asks otherwise is refused. `properties` override the other
/// librdkafka settings derived from the fields (producer-only ones are dropped, see
/// `KafkaClientRole`); a cooperative assignor is refused, since the rebalance handling is
/// written for the eager protocol.
public struct KafkaConsumerConfiguration: Sendable {
    /// Eager assignors that librdkafka offers.
    public enum AssignmentStrategy: String, Sendable {
        case range
        case roundRobin = "roundrobin"
    }

    public var bootstrapServers: String
    public var groupID: String
    /// How long the group waits for a silent member before reassigning its partitions
    /// (librdkafka default 45 s; tests use about 6 s).
    public var sessionTimeout: Duration
    public var assignmentStrategy: AssignmentStrategy
    /// Most messages handed to the handler in one `consume` call.
    public var batchSize: Int
    /// How long one poll waits to fill a batch; also the longest gap between `idle` calls.
    public var pollTimeout: Duration
    /// Extra librdkafka properties; they win over the fields above.
    public var properties: [String: String]

    public init(bootstrapServers: String, groupID: String, sessionTimeout: Duration = .seconds(45),
                assignmentStrategy: AssignmentStrategy = .range, batchSize: Int = 10_000,
                pollTimeout: Duration = .milliseconds(100), properties: [String: String] = [:]) {
        self.bootstrapServers = bootstrapServers
        self.groupID = groupID
        self.sessionTimeout = sessionTimeout
        self.assignmentStrategy = assignmentStrategy
        self.batchSize = batchSize
        self.pollTimeout = pollTimeout
        self.properties = properties
    }

    /// The librdkafka settings, validated.
    func librdkafkaSettings() throws -> LibrdkafkaConfiguration {
        guard batchSize > 0 else {
            throw KafkaError.unsupportedSetting(name: "batchSize", value: "\(batchSize)", reason: "it must be at least 1")
        }
        let sessionMilliseconds = Int(sessionTimeout.librdkafkaMilliseconds)
        let defaults: [String: String] = [
            "bootstrap.servers": bootstrapServers,
            "group.id": groupID,
            "enable.auto.commit": "false",
            "enable.auto.offset.store": "false",
            "auto.offset.reset": "error",
            "session.timeout.ms": "\(sessionMilliseconds)",
            "heartbeat.interval.ms": "\(max(100, min(3000, sessionMilliseconds / 3)))",
            "partition.assignment.strategy": assignmentStrategy.rawValue,
            // A fetched message pins its whole fetch response until it is destroyed, and the
            // shards' rings hold tens of thousands of messages: with librdkafka's defaults (a
            // 64 MiB queue, responses up to 50 MB) two pinned responses were ~100 MB of serve's
            // peak. A 16 MiB queue and 8 MiB responses bound that part (README, Memory).
            "queued.max.messages.kbytes": "16384",
            "fetch.max.bytes": "8388608",
            // The pipeline pauses and resumes partitions for back-pressure, and a resumed partition
            // is not fetched until the broker answers the fetch already out, which waits up to this
            // long when the partitions it asked for have nothing new (librdkafka's default 500 ms;
            // the mock broker always waits it out, even when data arrives meanwhile).
            "fetch.wait.max.ms": "100",
        ]
        let settings = LibrdkafkaConfiguration(defaults: defaults, overrides: KafkaClientRole.consumer.applicable(properties))
        if let reset = settings["auto.offset.reset"], reset != "error" {
            throw KafkaError.unsupportedSetting(
                name: "auto.offset.reset", value: reset,
                reason: "Odometer never resets offsets silently; an out-of-range partition stops until "
                    + "`odometer offsets reset` records an operator's decision")
        }
        if let strategy = settings["partition.assignment.strategy"], strategy.contains("cooperative") {
            throw KafkaError.unsupportedSetting(
                name: "partition.assignment.strategy", value: strategy,
                reason: "only eager assignors (range, roundrobin) are supported by the batch consumer")
        }
        return settings
    }
}
