public import Foundation
import PostgresStore
import Synchronization

/// The status board of one `serve` process: what the sampler last read from Kafka and
/// Postgres, and the throughput history, combined on request with the live health and tally
/// into a `StatusSnapshot`.
///
/// Thread-safe: a `Mutex` around the board; the wall clock (for the page's "as of") is
/// injected.
public final class ServeStatus: Sendable {
    struct Board: Sendable {
        var throughput: ThroughputHistory
        var partitions: [PartitionLag] = []
        var partitionsProblem: String? = "not sampled yet"
        var periods: [PeriodReadiness] = []
        var periodsProblem: String? = "not sampled yet"
        var deliveries: [OutboxCount] = []
        var deliveriesProblem: String? = "not sampled yet"
    }

    public let topic: String
    public let group: String
    public let deadLetterTopic: String
    public let monitor: PipelineMonitor
    private let board: Mutex<Board>
    private let wallClock: @Sendable () -> Date

    /// - Parameter samples: throughput samples kept (181: 15 minutes every 5 s).
    public init(topic: String, group: String, deadLetterTopic: String, monitor: PipelineMonitor, samples: Int = 181,
                wallClock: @escaping @Sendable () -> Date = Date.init) {
        self.topic = topic
        self.group = group
        self.deadLetterTopic = deadLetterTopic
        self.monitor = monitor
        self.board = Mutex(Board(throughput: ThroughputHistory(capacity: samples)))
        self.wallClock = wallClock
    }

    public func snapshot() -> StatusSnapshot {
        let board = board.withLock { $0 }
        return StatusSnapshot(
            takenAt: wallClock(), topic: topic, group: group, deadLetterTopic: deadLetterTopic,
            readiness: monitor.health.readiness, health: monitor.health.current, tally: monitor.tally.snapshot,
            throughput: board.throughput, partitions: board.partitions, partitionsProblem: board.partitionsProblem,
            periods: board.periods, periodsProblem: board.periodsProblem, deliveries: board.deliveries,
            deliveriesProblem: board.deliveriesProblem)
    }

    func recordThroughput(at instant: ContinuousClock.Instant) {
        let metered = monitor.tally.snapshot.eventsMetered
        board.withLock { $0.throughput.record(metered: metered, at: instant) }
    }

    func update(partitions: [PartitionLag]?, problem: String?) {
        board.withLock {
            if let partitions { $0.partitions = partitions }
            $0.partitionsProblem = problem
        }
    }

    func update(periods: [PeriodReadiness]?, problem: String?) {
        board.withLock {
            if let periods { $0.periods = periods }
            $0.periodsProblem = problem
        }
    }

    func update(deliveries: [OutboxCount]?, problem: String?) {
        board.withLock {
            if let deliveries { $0.deliveries = deliveries }
            $0.deliveriesProblem = problem
        }
    }
}
