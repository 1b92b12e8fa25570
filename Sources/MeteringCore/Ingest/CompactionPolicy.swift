/// When the compactor folds the append-only deltas into the totals, and when flushes must wait
/// for it (issue 13). A flush only appends; the deltas it leaves are merged in bulk, so merging
/// rarely and in large batches costs least, but the backlog must stay bounded: past
/// `backlogLimit` rows the flusher holds its flushes back, the shards' windows fill and their
/// partitions pause (back-pressure), rather than letting the delta tables grow without end.
///
/// A value-type state machine over an injected clock's instants, like `FlushPolicy`; no I/O.
public struct CompactionPolicy<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    /// Compact whatever waits at least this often.
    public let interval: Duration
    /// Compact as soon as this many rows wait; also the most one compaction takes.
    public let batchRows: Int
    /// Flushes wait while more rows than this wait.
    public let backlogLimit: Int
    private var lastCompaction: Instant

    public init(interval: Duration = .seconds(10), batchRows: Int = 1_000_000, backlogLimit: Int = 6_000_000,
                now: Instant) {
        self.interval = interval
        self.batchRows = batchRows
        self.backlogLimit = max(backlogLimit, batchRows)
        lastCompaction = now
    }

    /// Whether to compact now, with `backlogRows` rows waiting.
    public func shouldCompact(now: Instant, backlogRows: Int) -> Bool {
        backlogRows >= batchRows || (backlogRows > 0 && lastCompaction.duration(to: now) >= interval)
    }

    /// Whether a flush may append more rows while `backlogRows` wait.
    public func flushMayProceed(backlogRows: Int) -> Bool { backlogRows <= backlogLimit }

    public mutating func compacted(at now: Instant) { lastCompaction = now }
}
