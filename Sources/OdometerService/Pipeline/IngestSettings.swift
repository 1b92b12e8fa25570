import Foundation
import MeteringCore

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
    /// `kafka.properties`: librdkafka settings for every client of the pipeline (the consumer,
    /// the dead-letter producer, the inspector), e.g. SASL and TLS; each takes those of its role.
    public var kafkaProperties: [String: String]
    /// Messages each shard's ring holds; beyond them messages wait in the shard's backlog, and a
    /// backlog at its high water pauses the shard's partitions (back-pressure, `ShardFlowControl`).
    public var ringCapacity: Int
    /// How long a shard may take nothing from its waiting backlog before its partitions are
    /// paused, however short the backlog (`ShardFlowControl`).
    public var shardPatience: Duration = .milliseconds(250)
    /// Keys a shard's window may hold: beyond it the shard takes no more messages until the
    /// flusher takes the window (its ring fills and its partitions pause), so memory stays
    /// bounded however slowly Postgres merges. Default: `flushMaxKeys`, at least 500,000.
    public var windowKeyLimit: Int
    /// Identifies this instance in `consumer_offsets.owner`.
    public var owner: String
    /// Dedup on (source, id) (DESIGN §5); nil turns it off.
    public var dedup: DedupSettings?
    /// How long the shards may take to meter what was routed to them before a revocation's flush.
    public var catchUpLimit: Duration = .seconds(60)
    /// How long a flush's Postgres transactions may take before the flush fails and the pipeline
    /// restarts from Postgres (`FlushDeadline`). Each statement also ends after 30 s on the
    /// server (`statement_timeout`); this bounds what the server cannot: a lost connection.
    public var flushDeadline: Duration = .seconds(60)
    /// Faults injected for tests; none by default.
    public var failpoints = Failpoints.none
    /// When deltas are compacted into the totals, and the backlog past which flushes wait.
    public var compaction = CompactionSettings()

    public init(brokers: String, topic: String = "usage", group: String = "odometer", deadLetterTopic: String? = nil,
                shards: Int = 2, flushInterval: Duration = .milliseconds(200), flushMaxKeys: Int = 50_000,
                sessionTimeout: Duration = .seconds(45), kafkaProperties: [String: String] = [:],
                ringCapacity: Int = 65_536, windowKeyLimit: Int? = nil, owner: String? = nil,
                dedup: DedupSettings? = DedupSettings()) {
        self.brokers = brokers
        self.topic = topic
        self.group = group
        self.deadLetterTopic = deadLetterTopic ?? "\(topic).dlq"
        self.shards = shards
        self.flushInterval = flushInterval
        self.flushMaxKeys = flushMaxKeys
        self.sessionTimeout = sessionTimeout
        self.kafkaProperties = kafkaProperties
        self.ringCapacity = ringCapacity
        self.windowKeyLimit = windowKeyLimit ?? max(flushMaxKeys, 500_000)
        self.owner = owner ?? "\(ProcessInfo.processInfo.hostName)/\(ProcessInfo.processInfo.processIdentifier)/\(UUID().uuidString.prefix(8))"
        self.dedup = dedup
    }
}

/// The dedup window (DESIGN §5): how long after an event's arrival a copy of it is dropped, and
/// the memory its remembered ids may take in one instance (split evenly over the shards).
public struct DedupSettings: Sendable, Hashable {
    public var window: Duration
    public var memoryLimitBytes: Int

    public init(window: Duration = .seconds(3600), memoryLimitBytes: Int = 256 << 20) {
        self.window = window
        self.memoryLimitBytes = memoryLimitBytes
    }

    var windowMilliseconds: Int64 {
        window.components.seconds * 1000 + window.components.attoseconds / 1_000_000_000_000_000
    }

    /// One generation of the window: the unit its ids expire in, and the checkpoint cadence.
    var spanMilliseconds: Int64 { DedupFilter.generationMilliseconds(window: window) }
}
