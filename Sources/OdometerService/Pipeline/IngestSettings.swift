import Foundation

/// Everything the ingest pipeline needs to run, resolved from configuration (or built by
/// `demo` and tests). A plain value.
public struct IngestSettings: Sendable {
    public var brokers: String
    public var topic: String
    public var group: String
    public var deadLetterTopic: String
    public var shards: Int
    public var flushInterval: Duration
    public var flushMaxKeys: Int
    public var sessionTimeout: Duration
    /// Extra librdkafka consumer properties.
    public var consumerProperties: [String: String]
    /// Messages each shard's ring holds before the consumer waits (back-pressure).
    public var ringCapacity: Int
    /// Keys a shard's window may hold: beyond it the shard takes no more messages until the
    /// flusher takes the window (its ring fills and its partitions pause), so memory stays
    /// bounded however slowly Postgres merges. Default: `flushMaxKeys`, at least 500,000.
    public var windowKeyLimit: Int
    /// Identifies this instance in `consumer_offsets.owner`.
    public var owner: String

    public init(brokers: String, topic: String = "usage", group: String = "odometer", deadLetterTopic: String? = nil,
                shards: Int = 2, flushInterval: Duration = .milliseconds(200), flushMaxKeys: Int = 50_000,
                sessionTimeout: Duration = .seconds(45), consumerProperties: [String: String] = [:],
                ringCapacity: Int = 65_536, windowKeyLimit: Int? = nil, owner: String? = nil) {
        self.brokers = brokers
        self.topic = topic
        self.group = group
        self.deadLetterTopic = deadLetterTopic ?? "\(topic).dlq"
        self.shards = shards
        self.flushInterval = flushInterval
        self.flushMaxKeys = flushMaxKeys
        self.sessionTimeout = sessionTimeout
        self.consumerProperties = consumerProperties
        self.ringCapacity = ringCapacity
        self.windowKeyLimit = windowKeyLimit ?? max(flushMaxKeys, 500_000)
        self.owner = owner ?? "\(ProcessInfo.processInfo.hostName)/\(ProcessInfo.processInfo.processIdentifier)/\(UUID().uuidString.prefix(8))"
    }
}
