/// Every metric `serve` exposes, with its Prometheus type, labels, help text and (for
/// histograms) buckets: the one list that the Prometheus backend, the README's table and the
/// tests read. Code records through swift-metrics with `ServeMetric.x.name` (or the same
/// literal); a name missing here is exposed with an "undocumented" help text, which a test
/// refuses.
public struct ServeMetric: Sendable, Hashable {
    public enum Kind: String, Sendable { case counter, gauge, histogram }

    public let name: String
    public let kind: Kind
    public let labels: [String]
    public let help: String
    /// Upper bounds of a histogram's buckets, in the metric's base unit (seconds, rows).
    public let buckets: [Double]

    init(_ name: String, _ kind: Kind, labels: [String] = [], help: String, buckets: [Double] = []) {
        self.name = name
        self.kind = kind
        self.labels = labels
        self.help = help
        self.buckets = buckets
    }

    public static let eventsMetered = ServeMetric(
        "odometer_events_metered_total", .counter, help: "Events committed to Postgres with their offsets.")
    public static let eventsRejected = ServeMetric(
        "odometer_events_rejected_total", .counter, labels: ["reason"], help: "Events dead-lettered, by reason code.")
    public static let eventsDuplicate = ServeMetric(
        "odometer_events_duplicate_total", .counter,
        help: "Events dropped as copies of an earlier (source, id) within dedupWindow.")
    public static let dedupRememberedIds = ServeMetric(
        "odometer_dedup_remembered_ids", .gauge, labels: ["shard"],
        help: "Ids the shard's dedup window remembers (memory is about this many times the bytes per id).")
    public static let dedupForgottenEarly = ServeMetric(
        "odometer_dedup_forgotten_early_total", .counter,
        help: "Ids the dedup window forgot before dedupWindow passed because of its memory cap.")
    public static let dedupWindowCut = ServeMetric(
        "odometer_dedup_window_cut_total", .counter, labels: ["partition"],
        help: "Claims of the partition whose dedup window began past its log start: retention had deleted part of the window, so copies of those events count again.")
    public static let flushes = ServeMetric(
        "odometer_flushes_total", .counter, help: "Flushes committed (each shard's totals and offsets in one transaction).")
    public static let flushDuration = ServeMetric(
        "odometer_flush_duration_seconds", .histogram, help: "Time from taking the shards' deltas to the commit.",
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30])
    public static let flushRows = ServeMetric(
        "odometer_flush_rows", .histogram, help: "Totals rows one flush merged into Postgres.",
        buckets: [1, 10, 100, 1_000, 10_000, 50_000, 100_000, 500_000, 1_000_000])
    public static let commitLatency = ServeMetric(
        "odometer_commit_latency_seconds", .histogram,
        help: "Time from a sampled message's Kafka append to the commit of its total.",
        buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120])
    public static let compactedRows = ServeMetric(
        "odometer_compacted_rows_total", .counter, help: "Delta rows the compactor moved into the totals.")
    public static let compactionDuration = ServeMetric(
        "odometer_compaction_duration_seconds", .histogram, help: "Time one compaction transaction took.",
        buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60])
    public static let compactionBacklogRows = ServeMetric(
        "odometer_compaction_backlog_rows", .gauge, help: "Delta rows flushed and not compacted yet.")
    public static let compactionBacklogAge = ServeMetric(
        "odometer_compaction_backlog_age_seconds", .gauge, help: "Age of the oldest delta batch not compacted yet.")
    public static let compactionBackpressure = ServeMetric(
        "odometer_compaction_backpressure_total", .counter,
        help: "Times flushes were held back because the compaction backlog passed its limit.")
    public static let shardPauses = ServeMetric(
        "odometer_shard_pauses_total", .counter, labels: ["shard"],
        help: "Times a shard's partitions were paused (back-pressure): its backlog reached its high water, or it took nothing for shardPatience.")
    public static let shardWindowFull = ServeMetric(
        "odometer_shard_window_full_total", .counter, labels: ["shard"],
        help: "Times a shard's window reached its key limit and the shard waited for the flusher.")
    public static let consumerLag = ServeMetric(
        "odometer_consumer_lag_messages", .gauge, labels: ["partition"],
        help: "Messages in the partition after the offset committed in Postgres (high watermark minus next offset).")
    public static let offsetsOutOfRange = ServeMetric(
        "odometer_partition_offsets_out_of_range", .gauge, labels: ["partition"],
        help: "1 while the partition is stopped because its stored offset lies outside the log.")
    public static let pipelineRestarts = ServeMetric(
        "odometer_pipeline_restarts_total", .counter,
        help: "Times the ingest pipeline failed and a new one resumed from the offsets in Postgres.")
    public static let ready = ServeMetric(
        "odometer_ready", .gauge, help: "1 when /readyz answers 200 (consuming, Postgres and Kafka reachable).")
    public static let outboxEntries = ServeMetric(
        "odometer_outbox_entries", .gauge, labels: ["destination", "status"],
        help: "Outbox entries by destination and status (pending, failed, delivered).")
    public static let deliveries = ServeMetric(
        "odometer_deliveries_total", .counter, labels: ["destination", "outcome"],
        help: "Documents this process delivered (outcome delivered) or that failed for good (outcome failed).")
    public static let deliveryRetries = ServeMetric(
        "odometer_delivery_retries_total", .counter, labels: ["destination"],
        help: "Deliveries rescheduled after a transient failure (429, 5xx, timeout).")
    public static let breakerState = ServeMetric(
        "odometer_destination_breaker_state", .gauge, labels: ["destination"],
        help: "Circuit breaker of a destination: 0 closed, 1 half-open, 2 open (calls stopped).")

    /// Every metric, in the order of the README's table.
    public static let all: [ServeMetric] = [
        eventsMetered, eventsRejected, eventsDuplicate, dedupRememberedIds, dedupForgottenEarly, dedupWindowCut,
        flushes, flushDuration, flushRows, commitLatency, compactedRows, compactionDuration, compactionBacklogRows,
        compactionBacklogAge, compactionBackpressure,
        shardPauses, shardWindowFull, consumerLag, offsetsOutOfRange, pipelineRestarts, ready,
        outboxEntries, deliveries, deliveryRetries, breakerState,
    ]

    public static func named(_ name: String) -> ServeMetric? { all.first { $0.name == name } }
}
