import Metrics
import Synchronization

/// The health registry of one `serve` process: the pipeline, the relays' probes and the
/// sampler report into it, `/readyz` and the status page read it.
///
/// Thread-safe: one `Mutex` guards a `HealthState` value; every method is short and never
/// blocks on I/O, so the consumer thread and shard-facing code may call it. The clock is
/// injected (`now`), so readiness is testable without waiting.
public final class ServeHealth: Sendable {
    private let state = Mutex(HealthState())
    private let now: @Sendable () -> ContinuousClock.Instant

    public init(now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }) {
        self.now = now
    }

    /// The current state, copied.
    public var current: HealthState { state.withLock { $0 } }

    public var readiness: Readiness {
        let instant = now()
        return state.withLock { $0.readiness(at: instant) }
    }

    // MARK: The pipeline's life (IngestService, FlushCoordinator)

    /// A new pipeline is being built; a restart keeps showing the failure that caused it.
    /// Partitions out of range are forgotten: the new pipeline finds them again on assignment.
    public func pipelineStarting() {
        let forgotten = state.withLock { state in
            if case .restarting = state.phase {} else { state.phase = .starting }
            defer { state.outOfRange = [:] }
            return Array(state.outOfRange.keys)
        }
        for partition in forgotten {
            Gauge(label: ServeMetric.offsetsOutOfRange.name, dimensions: [("partition", "\(partition)")]).record(0)
        }
    }

    /// Partitions were claimed or a flush committed: the pipeline is consuming.
    public func pipelineConsuming() {
        state.withLock { if $0.phase != .stopping { $0.phase = .consuming } }
    }

    /// The pipeline failed; `message` must be secrets-free (see `HealthMessage`).
    public func pipelineFailed(_ message: String, attempt: Int) {
        state.withLock {
            $0.phase = .restarting(failure: message, attempt: attempt)
            $0.pausedSince = [:]
        }
    }

    public func stopping() { state.withLock { $0.phase = .stopping } }

    /// Back-pressure paused (true) or resumed (false) a shard's partitions.
    public func setPaused(shard: Int, _ paused: Bool) {
        let instant = now()
        state.withLock { $0.pausedSince[shard] = paused ? ($0.pausedSince[shard] ?? instant) : nil }
    }

    // MARK: Offsets out of range (DESIGN §5)

    /// `partition` stopped: its stored offset lies outside the log. `message` names the stored
    /// offset, the log range and `odometer offsets reset`. Shown in readiness and as the gauge
    /// `odometer_partition_offsets_out_of_range{partition}` = 1.
    public func setOutOfRange(partition: Int32, message: String) {
        state.withLock { $0.outOfRange[partition] = message }
        Gauge(label: ServeMetric.offsetsOutOfRange.name, dimensions: [("partition", "\(partition)")]).record(1)
    }

    /// An operator's reset (or a reassignment) resolved `partition`.
    public func clearOutOfRange(partition: Int32) {
        let wasSet = state.withLock { $0.outOfRange.removeValue(forKey: partition) != nil }
        if wasSet {
            Gauge(label: ServeMetric.offsetsOutOfRange.name, dimensions: [("partition", "\(partition)")]).record(0)
        }
    }

    // MARK: Probes (OperationsSampler)

    /// nil: Postgres answered; otherwise why not.
    public func setPostgresProblem(_ message: String?) { state.withLock { $0.postgresProblem = message } }

    /// nil: Kafka answered; otherwise why not.
    public func setKafkaProblem(_ message: String?) { state.withLock { $0.kafkaProblem = message } }
}
