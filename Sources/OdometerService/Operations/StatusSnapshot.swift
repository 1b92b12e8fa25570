public import Foundation
public import PostgresStore

/// Where the group stands on one partition: Kafka's log range beside the offset committed in
/// Postgres. `lag` is what is in the log and not yet in the totals.
public struct PartitionLag: Sendable, Equatable {
    public var partition: Int32
    public var lowWatermark: Int64
    public var highWatermark: Int64
    /// nil: the group never claimed the partition.
    public var nextOffset: Int64?
    /// Kafka append time (Unix milliseconds) before which everything is metered.
    public var coveredAppendMilliseconds: Int64?
    public var owner: String?

    public var lag: Int64 { max(0, highWatermark - (nextOffset ?? lowWatermark)) }
}

/// Everything the status page shows, copied at one instant: a plain value, rendered by the
/// HTTP layer. Figures marked "this process" restart from zero with `serve`; the others come
/// from Kafka and Postgres and are shared by every instance.
public struct StatusSnapshot: Sendable {
    public var takenAt: Date
    public var topic: String
    public var group: String
    public var deadLetterTopic: String
    public var readiness: Readiness
    public var health: HealthState
    /// This process: events metered, rejections by reason, recent flushes.
    public var tally: IngestTally.Snapshot
    /// This process: the metered count every few seconds.
    public var throughput: ThroughputHistory
    public var partitions: [PartitionLag]
    /// Why `partitions` is missing or stale, if it is.
    public var partitionsProblem: String?
    public var periods: [PeriodReadiness]
    public var periodsProblem: String?
    public var deliveries: [OutboxCount]
    public var deliveriesProblem: String?
}
