import Logging
import MeteringCore
import Metrics
import PostgresStore
import Synchronization

/// Runs the compactor beside the flusher (issue 13): it reads the delta backlog, compacts when
/// `CompactionPolicy` says so, and publishes the backlog so the flusher holds its flushes back
/// while it is over the limit. Every pipeline runs one; across instances an advisory lock lets
/// one compact at a time. A failed compaction rolls back whole and is retried on the next tick:
/// it never costs correctness, only backlog.
final class CompactionLoop: Sendable {
    private let compactor: DeltaCompactor
    private let settings: CompactionSettings
    private let clock: ContinuousClock
    private let logger: Logger
    /// Rows waiting in the delta tables at the last look.
    private let backlogRows = Atomic<Int>(0)
    /// Times a flush was held back because the backlog was over its limit.
    let heldFlushes = Atomic<Int>(0)

    init(compactor: DeltaCompactor, settings: CompactionSettings, clock: ContinuousClock, logger: Logger) {
        self.compactor = compactor
        self.settings = settings
        self.clock = clock
        self.logger = logger
    }

    /// Whether a flush may append now; counts and reports the ones held back.
    func flushMayProceed() -> Bool {
        let policy = settings.policy(now: clock.now)
        let rows = backlogRows.load(ordering: .relaxed)
        guard policy.flushMayProceed(backlogRows: rows) else {
            if heldFlushes.add(1, ordering: .relaxed).newValue % 50 == 1 {
                logger.warning("the compaction backlog (\(rows) rows) is over its limit: flushes wait for the compactor")
            }
            Counter(label: "odometer_compaction_backpressure_total").increment()
            return false
        }
        return true
    }

    /// Counts a flush's rows into the backlog at once: the compactor reads the backlog only between
    /// compactions, and one compaction can take as long as several flushes, which would otherwise
    /// all see the backlog from before it and append past the limit.
    func appended(rows: Int) {
        backlogRows.add(rows, ordering: .relaxed)
    }

    /// Compacts until cancelled. `fullBatches` counts the consumer's polls that returned a whole
    /// batch: while it grows, ingest is busy and the compactor yields (`CompactionPolicy`).
    func run(fullBatches: @Sendable () -> Int) async {
        var policy = settings.policy(now: clock.now)
        var lastFullBatches = fullBatches()
        while !Task.isCancelled {
            do {
                let backlog = try await compactor.backlog()
                publish(backlog)
                let seen = fullBatches()
                let busy = seen != lastFullBatches
                lastFullBatches = seen
                if policy.shouldCompact(now: clock.now, backlogRows: Int(backlog.rows + backlog.uniqueRows), ingestIsBusy: busy) {
                    let started = clock.now
                    if let report = try await compactor.compact(maxRows: policy.rowsPerCompaction(ingestIsBusy: busy)) {
                        policy.compacted(at: clock.now)
                        record(report, took: started.duration(to: clock.now))
                        publish(try await compactor.backlog())
                        continue
                    }
                }
            } catch is CancellationError {
                return
            } catch {
                // Stopped mid-statement: the pipeline does not wait for its compactor, and its
                // owner closes the Postgres client next, so the error is the stop's, not a failure
                // to report (it ended 6 of 21 `bench` runs on 2026-12-04). The rolled-back
                // compaction is redone by the next pipeline.
                if Task.isCancelled { return }
                logger.warning("compaction failed; retrying", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: settings.tick)
        }
    }

    private func publish(_ backlog: DeltaBacklog) {
        let rows = Int(backlog.rows + backlog.uniqueRows)
        backlogRows.store(rows, ordering: .relaxed)
        Gauge(label: "odometer_compaction_backlog_rows").record(rows)
        Gauge(label: "odometer_compaction_backlog_age_seconds").record(Double(backlog.oldestMilliseconds) / 1000)
    }

    private func record(_ report: CompactionReport, took duration: Duration) {
        Counter(label: "odometer_compacted_rows_total").increment(by: Int(report.rows + report.uniqueRows))
        Timer(label: "odometer_compaction_duration_seconds").recordNanoseconds(
            duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
        logger.debug("compacted", metadata: ["rows": "\(report.rows)", "uniqueRows": "\(report.uniqueRows)",
                                             "keys": "\(report.keys)", "ms": "\(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)"])
    }
}

/// How the pipeline's compactor works (see `CompactionPolicy`).
public struct CompactionSettings: Sendable, Hashable {
    public var interval: Duration = .seconds(10)
    public var batchRows = 1_000_000
    public var backlogLimit = 6_000_000
    /// While ingest is busy, compact only from this many rows, all at once; nil: half the limit.
    public var busyBacklog: Int?
    /// How often the backlog is looked at.
    public var tick: Duration = .milliseconds(250)

    public init() {}

    func policy(now: ContinuousClock.Instant) -> CompactionPolicy<ContinuousClock.Instant> {
        CompactionPolicy(interval: interval, batchRows: batchRows, backlogLimit: backlogLimit, busyBacklog: busyBacklog, now: now)
    }
}
