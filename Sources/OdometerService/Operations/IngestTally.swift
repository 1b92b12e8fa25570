import Metrics
import Synchronization

/// What this process's pipelines committed since `serve` started, across pipeline restarts:
/// events metered, rejections by reason, and the most recent flushes. Fed by the flusher after
/// each committed flush; read by the sampler and the status page.
///
/// Thread-safe: a `Mutex` around a small value; `record` is called once per flush.
public final class IngestTally: Sendable {
    /// One committed flush.
    public struct Flush: Sendable, Equatable {
        public var duration: Duration
        public var rows: Int
        public var events: Int
    }

    /// A copy of the tally.
    public struct Snapshot: Sendable, Equatable {
        public var eventsMetered = 0
        public var flushes = 0
        public var rejections: [String: Int] = [:]
        /// The last `recentCapacity` flushes, oldest first.
        public var recent: [Flush] = []
    }

    public static let recentCapacity = 120
    private let state = Mutex(Snapshot())

    public init() {}

    public var snapshot: Snapshot { state.withLock { $0 } }

    /// Counts a committed flush, and records its size in `odometer_flush_rows`.
    func record(_ report: FlushReport) {
        state.withLock { tally in
            tally.eventsMetered += report.events
            tally.flushes += report.flushes
            tally.rejections.merge(report.rejections, uniquingKeysWith: +)
            tally.recent.append(Flush(duration: report.duration, rows: report.keys, events: report.events))
            if tally.recent.count > Self.recentCapacity { tally.recent.removeFirst(tally.recent.count - Self.recentCapacity) }
        }
        Recorder(label: ServeMetric.flushRows.name, aggregate: true).record(report.keys)
    }
}

/// What the pipeline reports to: the health registry and the tally. `serve` shares one with
/// the HTTP surface; `demo`, `bench` and tests get a private one nobody reads.
public struct PipelineMonitor: Sendable {
    public let health: ServeHealth
    public let tally: IngestTally

    public init(health: ServeHealth = ServeHealth(), tally: IngestTally = IngestTally()) {
        self.health = health
        self.tally = tally
    }
}
