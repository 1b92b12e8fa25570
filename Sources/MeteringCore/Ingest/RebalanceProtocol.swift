/// The consumer side of a rebalance (DESIGN §5), as a value-type state machine: the consumer
/// thread reports what happened and carries out the action it gets back; nothing here does I/O
/// or reads a clock. `FlushPolicy` is the model.
///
/// Revocation: drain the held messages into the shards' rings → wait until the shards have
/// metered every message routed to them (both within `catchUpLimit` of the revocation) →
/// flush (totals and the fenced offsets of every owned partition, a transaction per shard) → release.
/// A flush that fails (a newer owner fenced it, Postgres is gone) ends the pipeline: its deltas
/// are dropped, and `serve` starts a new one that resumes from Postgres.
///
/// Assignment: claim in Postgres (bumping each epoch, which fences any previous owner) → start
/// each partition where its stored offset says, reading the dedup window again first; a stored
/// offset outside the log stops that partition, and only that one, until an operator decides.
///
/// Owned by the consumer thread; not thread-safe by itself.
public struct RebalanceProtocol<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    public enum Action: Hashable, Sendable {
        /// Move every message held back by back-pressure into the shards' rings; give up at `deadline`.
        case drainBacklogs(deadline: Instant)
        /// Wait until the shards have metered every message routed to them; give up at `deadline`.
        case awaitShards(deadline: Instant)
        /// Commit every shard's delta with the fenced offsets of the partitions it read.
        case flush
        /// Forget these partitions (their totals are committed): another owner may claim them.
        case release([Int32])
        /// Claim these partitions in Postgres and read their stored offsets.
        case claim([Int32])
        /// Fetch these partitions from their starts, and leave the stopped ones unfetched.
        case start([FetchStart], stopped: [OffsetProblem])
        /// Stop fetching one partition, for an operator to decide (its offsets are out of range).
        case stop(OffsetProblem)
        /// The pipeline cannot go on: drop everything in memory; `serve` resumes from Postgres.
        case fail(String)
        /// Nothing more to do for this event.
        case done
    }

    /// Where this consumer stands with one partition.
    public enum PartitionState: Hashable, Sendable {
        case claiming
        case fetching(FetchStart)
        case stopped(OffsetProblem)
    }

    private enum Phase: Hashable, Sendable {
        case steady
        case revoking([Int32], deadline: Instant)
        case assigning([Int32])
        case failed
    }

    /// How long the shards may take to meter what was routed before a revocation's flush;
    /// librdkafka's `max.poll.interval.ms` (300 s by default) must stay above it.
    public let catchUpLimit: Duration
    public private(set) var partitions: [Int32: PartitionState] = [:]
    private var phase = Phase.steady

    public init(catchUpLimit: Duration = .seconds(60)) {
        self.catchUpLimit = catchUpLimit
    }

    /// Partitions stopped for an operator's decision, with their problems.
    public var stopped: [OffsetProblem] {
        partitions.values.compactMap { if case .stopped(let problem) = $0 { problem } else { nil } }
            .sorted { $0.partition < $1.partition }
    }

    // MARK: revocation

    /// The group takes `revoked` away.
    public mutating func revoked(_ revoked: [Int32], now: Instant) -> Action {
        guard phase == .steady else { return unexpected("a revocation") }
        let owned = revoked.filter { partitions[$0] != nil }
        guard !owned.isEmpty else { return .done }
        let deadline = now.advanced(by: catchUpLimit)
        phase = .revoking(owned.sorted(), deadline: deadline)
        return .drainBacklogs(deadline: deadline)
    }

    public mutating func backlogsDrained() -> Action {
        guard case .revoking(_, let deadline) = phase else { return unexpected("drained backlogs") }
        return .awaitShards(deadline: deadline)
    }

    public mutating func shardsCaughtUp() -> Action {
        guard case .revoking = phase else { return unexpected("caught-up shards") }
        return .flush
    }

    /// The shards did not take (drain) or meter (await) what was routed to them before the deadline.
    public mutating func shardsTimedOut() -> Action {
        fail("the shards did not take and meter the messages routed to them within \(catchUpLimit) of a revocation")
    }

    /// The revocation's flush committed.
    public mutating func flushCommitted() -> Action {
        guard case .revoking(let revoked, _) = phase else { return unexpected("a committed flush") }
        for partition in revoked { partitions[partition] = nil }
        phase = .steady
        return .release(revoked)
    }

    /// The revocation's flush failed: fenced by a newer owner, or Postgres is unreachable.
    public mutating func flushFailed(_ reason: String) -> Action {
        fail("the flush before releasing partitions failed (\(reason)); dropping this pipeline's deltas")
    }

    // MARK: assignment

    /// The group assigns `assigned`.
    public mutating func assigned(_ assigned: [Int32]) -> Action {
        guard phase == .steady else { return unexpected("an assignment") }
        let new = assigned.filter { partitions[$0] == nil }.sorted()
        guard !new.isEmpty else { return .done }
        for partition in new { partitions[partition] = .claiming }
        phase = .assigning(new)
        return .claim(new)
    }

    /// Postgres granted the claims; `logs` are the partitions' current log ranges.
    public mutating func claimed(_ claims: [Int32: StoredClaim], logs: [Int32: LogRange]) -> Action {
        guard case .assigning(let claiming) = phase else { return unexpected("claims") }
        var starts: [FetchStart] = []
        var stopped: [OffsetProblem] = []
        for partition in claiming {
            guard let claim = claims[partition], let log = logs[partition] else {
                return fail("partition \(partition) was assigned but Postgres or Kafka did not report on it")
            }
            switch FetchStart.plan(partition: partition, claim: claim, log: log) {
            case .success(let start):
                partitions[partition] = .fetching(start)
                starts.append(start)
            case .failure(let problem):
                partitions[partition] = .stopped(problem)
                stopped.append(problem)
            }
        }
        phase = .steady
        return .start(starts, stopped: stopped)
    }

    public mutating func claimFailed(_ reason: String) -> Action {
        fail("claiming partitions in Postgres failed (\(reason))")
    }

    // MARK: while fetching

    /// The fetcher found `offset` out of range on `partition` (retention deleted what was not yet
    /// read, or the topic was recreated under it); `log` is its range now.
    public mutating func offsetOutOfRange(partition: Int32, offset: Int64, log: LogRange) -> Action {
        guard case .fetching = partitions[partition] else { return .done }
        let problem = OffsetProblem(partition: partition, storedOffset: offset, log: log)
            ?? OffsetProblem(partition: partition, storedOffset: offset, log: log, kind: .belowLogStart)
        partitions[partition] = .stopped(problem)
        return .stop(problem)
    }

    // MARK: helpers

    private mutating func fail(_ reason: String) -> Action {
        phase = .failed
        return .fail(reason)
    }

    private mutating func unexpected(_ event: String) -> Action {
        if phase == .failed { return .fail("the pipeline has already failed") }
        return fail("\(event) arrived in the middle of another rebalance step (this is a bug)")
    }
}
