/// What `serve` knows about its own health, as a plain value: the pipeline's phase, whether
/// Postgres and Kafka answer, which shards back-pressure has paused since when, and which
/// partitions stopped on offsets out of range. `readiness(at:)` is a pure function of it.
///
/// Messages held here are already secrets-free (first line of an error, no URL credentials).
public struct HealthState: Sendable, Equatable {
    /// Where the ingest pipeline is in its life.
    public enum PipelinePhase: Sendable, Equatable {
        /// Joining the consumer group; nothing claimed yet.
        case starting
        /// Partitions claimed in Postgres, or a flush committed.
        case consuming
        /// The last pipeline failed with `failure`; a new one starts after a backoff.
        case restarting(failure: String, attempt: Int)
        /// Graceful shutdown: the last flush is under way.
        case stopping
    }

    public var phase: PipelinePhase = .starting
    /// Why Postgres did not answer the last probe; nil while it answers.
    public var postgresProblem: String?
    /// Why Kafka did not answer the last probe; nil while it answers.
    public var kafkaProblem: String?
    /// Shards whose partitions back-pressure paused, and since when.
    public var pausedSince: [Int: ContinuousClock.Instant] = [:]
    /// Partitions stopped because their stored offset is outside the log (DESIGN §5).
    public var outOfRange: [Int32: String] = [:]

    public init() {}

    /// A pause shorter than this is flow control at work, not a problem worth a 503.
    public static let pauseGrace: Duration = .seconds(10)

    /// Ready when consuming with Postgres and Kafka answering, no shard paused for longer
    /// than `pauseGrace`, and no partition out of range; otherwise every reason, in that order.
    public func readiness(at now: ContinuousClock.Instant) -> Readiness {
        var reasons: [String] = []
        switch phase {
        case .starting: reasons.append("pipeline starting: waiting for the consumer group to assign partitions")
        case .consuming: break
        case .restarting(let failure, let attempt):
            reasons.append("pipeline restarting after failure \(attempt): \(failure)")
        case .stopping: reasons.append("shutting down: flushing the last batch")
        }
        if let postgresProblem { reasons.append("Postgres unreachable: \(postgresProblem)") }
        if let kafkaProblem { reasons.append("Kafka unreachable: \(kafkaProblem)") }
        let stalled = pausedSince.filter { $0.value.duration(to: now) >= Self.pauseGrace }.keys.sorted()
        if !stalled.isEmpty {
            let longest = stalled.map { pausedSince[$0]!.duration(to: now) }.max()!
            reasons.append("paused by back-pressure: shard \(stalled.map(String.init).joined(separator: ", ")) "
                           + "for \(longest.components.seconds) s (Postgres or the shards are slower than Kafka)")
        }
        for (partition, message) in outOfRange.sorted(by: { $0.key < $1.key }) {
            reasons.append("partition \(partition) offsets out of range: \(message)")
        }
        return reasons.isEmpty ? .ready : .notReady(reasons: reasons)
    }
}

/// The answer of `/readyz`.
public enum Readiness: Sendable, Equatable {
    case ready
    case notReady(reasons: [String])

    public var isReady: Bool { self == .ready }

    public var reasons: [String] {
        if case .notReady(let reasons) = self { return reasons }
        return []
    }
}
