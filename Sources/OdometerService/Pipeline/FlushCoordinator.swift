import Foundation
import Synchronization
import Logging
import MeteringCore
import Metrics
import PostgresStore

/// Owns partition ownership and performs flushes: it collects every shard's delta, makes sure
/// the dead letters behind them are in Kafka, and commits each shard's totals with the fenced
/// offsets of its partitions in a Postgres transaction (DESIGN §5), the shards' transactions side
/// by side (`ShardTransactions`).
///
/// A failed flush ends the pipeline: it took the shards' deltas, so a later flush would commit
/// offsets past events that were never counted. After the first failure every flush (a queued
/// revocation included) throws without writing, and `serve` starts a new pipeline from Postgres.
///
/// An actor: ownership changes (from the consumer thread's rebalance callbacks) and flushes
/// (periodic, or on revocation) are serialized. Flushes run strictly one after another even
/// across suspension points, because each waits for the one before it.
actor FlushCoordinator {
    private let shards: [any FlushableShard]
    private let writer: TotalsFlushWriter
    private let offsetStore: PartitionOffsetStore
    private let deadLetters: DeadLetterSink
    private let settings: IngestSettings
    private let logger: Logger
    private let clock: ContinuousClock
    /// Wall-clock time in Unix milliseconds (append times are wall-clock times).
    private let unixMilliseconds: @Sendable () -> Int64
    private let monitor: PipelineMonitor
    private var ownership = PartitionOwnership()
    private var lastFlush: Task<FlushReport, any Error>?
    /// Why the first failed flush failed; once set, nothing more is committed.
    private var failure: String?
    private var flushNumber = 0
    private var forgottenEarly: [Int: Int] = [:]
    private var dedupFootprints: [Int: (ids: Int, bytes: Int)] = [:]
    private var internedStrings: [Int: Int] = [:]
    private var lastCapWarning: ContinuousClock.Instant?
    private(set) var totals = FlushReport()
    private(set) var firstClaim: ContinuousClock.Instant?
    /// When the latest flush committed.
    private(set) var lastCommit: ContinuousClock.Instant?
    /// Latencies (milliseconds) from append to committed total of sampled messages, newest
    /// last, at most `latencyReservoir` of them.
    private(set) var commitLatencies: [Int64] = []
    private static let latencyReservoir = 200_000
    /// Called after each committed flush with the partitions' next offsets (advisory Kafka commit).
    private let onCommitted: @Sendable ([Int32: Int64]) -> Void

    init(shards: [any FlushableShard], writer: TotalsFlushWriter, offsetStore: PartitionOffsetStore,
         deadLetters: DeadLetterSink, settings: IngestSettings, logger: Logger, clock: ContinuousClock,
         unixMilliseconds: @escaping @Sendable () -> Int64, monitor: PipelineMonitor = PipelineMonitor(),
         onCommitted: @escaping @Sendable ([Int32: Int64]) -> Void) {
        self.shards = shards
        self.writer = writer
        self.offsetStore = offsetStore
        self.deadLetters = deadLetters
        self.settings = settings
        self.logger = logger
        self.clock = clock
        self.unixMilliseconds = unixMilliseconds
        self.monitor = monitor
        self.onCommitted = onCommitted
    }

    /// Claims newly assigned partitions in Postgres (bumping their epochs; a partition never
    /// claimed before starts at `logStarts`), and returns what is stored for each, with where
    /// to re-read its dedup window from.
    func claim(_ partitions: [Int32], logStarts: [Int32: Int64]) async throws -> [Int32: StoredClaim] {
        if let failure { throw PipelineError.flushFailedBefore(failure) }
        let windowStart = settings.dedup.map { unixMilliseconds() - $0.windowMilliseconds - $0.spanMilliseconds }
        // A claim waits for a previous owner's flush of the same partitions to commit or end.
        let watchdog = PostgresWaitWarning.start(clock: clock, logger: logger) { waited in
            "claiming partitions \(partitions.sorted()) still waiting for Postgres after \(waited) s (a previous owner's flush may hold them)"
        }
        defer { watchdog.cancel() }
        let claims = try await offsetStore.claim(
            group: settings.group, topic: settings.topic, partitions: partitions, owner: settings.owner,
            logStarts: logStarts, dedupWindowStart: windowStart)
        _ = ownership.assigned(claims.mapValues { .init(nextOffset: $0.nextOffset, epoch: $0.epoch) })
        if firstClaim == nil { firstClaim = clock.now }
        monitor.health.pipelineConsuming()
        logger.info("claimed partitions", metadata: ["partitions": "\(partitions.sorted())",
                                                     "starts": "\(claims.mapValues(\.nextOffset))"])
        return claims
    }

    /// Forgets revoked partitions, after their last flush.
    func release(_ partitions: [Int32]) {
        ownership.revoked(partitions)
        logger.info("released partitions", metadata: ["partitions": "\(partitions.sorted())"])
    }

    /// The partitions among `partitions` whose stored epoch moved on since this pipeline claimed
    /// them: an operator reset their offsets (`odometer offsets reset`), or another owner took them.
    func claimsMovedOn(_ partitions: [Int32]) async throws -> [Int32] {
        guard !partitions.isEmpty else { return [] }
        let stored = try await offsetStore.read(group: settings.group, topic: settings.topic)
        return partitions.filter { stored[$0]?.epoch != ownership.epochs[$0] }
    }

    /// Flushes asked for so far (a test's view of a revocation queued behind a flush).
    nonisolated let flushRequests = Atomic<Int>(0)

    /// One flush, after any flush already running; throws without writing once a flush failed.
    @discardableResult
    func flush() async throws -> FlushReport {
        flushRequests.add(1, ordering: .relaxed)
        let previous = lastFlush
        let task = Task {
            // Its failure, if any, is in `failure` by now; `performFlush` refuses to go on.
            if let previous { _ = try? await previous.value }
            return try await self.performFlush()
        }
        lastFlush = task
        return try await task.value
    }

    /// Keys and messages pending in all shards (for the flush policy).
    nonisolated func pending() -> (keys: Int, messages: Int) {
        var keys = 0
        var messages = 0
        for shard in shards {
            keys += shard.handoff.pendingKeys.load(ordering: .relaxed)
            messages += shard.handoff.pendingMessages.load(ordering: .relaxed)
        }
        return (keys, messages)
    }

    private func performFlush() async throws -> FlushReport {
        if let failure { throw PipelineError.flushFailedBefore(failure) }
        do {
            return try await flushDeltas()
        } catch {
            failure = "\(error)"
            logger.error("flush failed; this pipeline commits nothing more", metadata: ["error": "\(error)"])
            throw error
        }
    }

    private func flushDeltas() async throws -> FlushReport {
        let started = clock.now
        var report = FlushReport()
        var progress: [Int32: Int64] = [:]
        var appendTimes: [Int64] = []
        var writing: [(shard: Int, delta: ShardDelta)] = []
        for (shard, delta) in try await takeDeltas().enumerated() {
            report.events += delta.events
            report.duplicates += delta.duplicates
            report.keys += delta.totalsRows
            report.uniqueRows += delta.uniqueValues.rows
            for (reason, count) in delta.rejections { report.rejections[reason.code, default: 0] += count }
            appendTimes += delta.sampledAppendMilliseconds
            progress.merge(delta.nextOffsets) { max($0, $1) }
            recordDedup(shard: shard, delta: delta)
            internedStrings[shard] = delta.internedStrings
            if !delta.nextOffsets.isEmpty || delta.totalsRows > 0 { writing.append((shard, delta)) }
        }
        guard !writing.isEmpty else { return report }
        flushNumber += 1
        if !report.rejections.isEmpty { try await deadLetters.awaitDelivery(timeout: .seconds(30)) }
        // One transaction per group of shards, side by side (`ShardTransactions`).
        let parts = try ShardTransactions.groups(of: writing).map { group in
            ShardTransactions.Part(shards: group.map(\.shard), batch: try batch(of: group.map(\.delta)))
        }
        let (writer, failpoints, number) = (writer, settings.failpoints, flushNumber)
        let transactionStarted = clock.now
        report.messagesWhenWriting = pending().messages
        let transactions = Task {
            try await ShardTransactions.commit(parts, writer: writer) { shards in
                .beforeCommit { for shard in shards { try await failpoints.beforeShardCommit(number, shard) } }
            }
        }
        // A flush that waits long is waiting for Postgres (down, restarting, or starved): say so,
        // since the pipeline fetches nothing more meanwhile.
        let watchdog = PostgresWaitWarning.start(clock: clock, logger: logger) { waited in
            "flush \(number) still waiting for Postgres after \(waited) s; nothing more is fetched until it commits or fails"
        }
        defer { watchdog.cancel() }
        try await FlushDeadline.value(of: transactions, within: settings.flushDeadline, clock: clock)
        let committed = clock.now
        lastCommit = committed
        report.flushes = 1
        report.duration = started.duration(to: committed)
        report.writeDuration = transactionStarted.duration(to: committed)
        recordLatencies(appendTimes)
        record(report)
        onCommitted(progress)
        return report
    }

    /// Every shard's delta, taken through its hand-off while the shard keeps aggregating. All
    /// shards are asked at once, so they encode their deltas side by side.
    private func takeDeltas() async throws -> [ShardDelta] {
        let tickets = shards.map { $0.handoff.request() }
        var deltas = [ShardDelta?](repeating: nil, count: shards.count)
        var waiting = shards.count
        // A shard serves the request after its current batch, then encodes every pending key (a
        // large window takes tens of milliseconds): poll with a growing pause, since each timed
        // wake-up costs the cooperative pool more than the wait is worth.
        var pause = Duration.microseconds(50)
        while true {
            for (index, shard) in shards.enumerated() where deltas[index] == nil {
                // Read `stopped` first: a shard serves any outstanding request before it stops.
                let stopped = shard.hasStopped
                if let delta = shard.handoff.take(tickets[index]) {
                    deltas[index] = delta
                    waiting -= 1
                } else if stopped {
                    throw PipelineError.shardStopped(shard.index)
                }
            }
            if waiting == 0 { return deltas.map { $0! } }
            try await Task.sleep(for: pause)
            pause = min(pause * 2, .milliseconds(5))
        }
    }

    /// The batch of one transaction: the shards' rows, and the offsets of their partitions fenced
    /// with the epochs this pipeline holds (a shard reads only its own partitions, so no
    /// partition comes twice, and the batch holds exactly the events those offsets move past).
    private func batch(of deltas: [ShardDelta]) throws -> FlushBatch {
        var batch = FlushBatch(group: settings.group, topic: settings.topic, offsets: [],
                               totals: TotalsCopyRows(reservingBytes: 0),
                               uniqueValues: UniqueValueCopyRows(reservingBytes: 0),
                               checkpoints: settings.dedup.map {
                                   CheckpointCadence(everyMilliseconds: $0.spanMilliseconds,
                                                     retainMilliseconds: 2 * $0.windowMilliseconds + $0.spanMilliseconds)
                               })
        // The batch shares the deltas' encoded rows (hundreds of MB for a million keys).
        for delta in deltas {
            batch.totals.adoptEncodedRows(delta.totals.bytes, rows: delta.totals.rows, shape: .full)
            batch.totals.adoptEncodedRows(delta.additiveTotals.bytes, rows: delta.additiveTotals.rows, shape: .additive)
            batch.uniqueValues.adoptEncodedRows(delta.uniqueValues.bytes, rows: delta.uniqueValues.rows)
            batch.offsets += try ownership.fence(delta.nextOffsets).map {
                PartitionOffset(partition: $0.partition, nextOffset: $0.nextOffset, epoch: $0.epoch,
                                coveredAppendMilliseconds: delta.coveredAppendMilliseconds[$0.partition])
            }
            batch.deadLettered.merge(delta.rejectedOffsets) { $0 + $1 }
        }
        return batch
    }

    private func recordLatencies(_ appendTimes: [Int64]) {
        guard !appendTimes.isEmpty else { return }
        let now = unixMilliseconds()
        let timer = Timer(label: "odometer_commit_latency_seconds")
        for appended in appendTimes {
            let latency = max(0, now - appended)
            timer.recordMilliseconds(latency)
            commitLatencies.append(latency)
        }
        if commitLatencies.count > Self.latencyReservoir {
            commitLatencies.removeFirst(commitLatencies.count - Self.latencyReservoir)
        }
    }

    /// Strings the shards held interned at their last hand-off.
    var interned: Int { internedStrings.values.reduce(0, +) }

    /// Ids the shards' dedup windows held at their last hand-off, and the memory they took.
    var dedupFootprint: (ids: Int, bytes: Int) {
        dedupFootprints.values.reduce((0, 0)) { ($0.0 + $1.ids, $0.1 + $1.bytes) }
    }

    /// Forgets the latencies recorded so far (a benchmark phase starts).
    func resetLatencies() { commitLatencies.removeAll() }

    /// Publishes a shard's dedup window: its size, and the ids the memory cap made it forget.
    private func recordDedup(shard: Int, delta: ShardDelta) {
        guard settings.dedup != nil else { return }
        dedupFootprints[shard] = (delta.rememberedIds, delta.dedupBytes)
        Gauge(label: "odometer_dedup_remembered_ids", dimensions: [("shard", "\(shard)")]).record(delta.rememberedIds)
        let forgotten = delta.forgottenEarly - forgottenEarly[shard, default: 0]
        guard forgotten > 0 else { return }
        forgottenEarly[shard] = delta.forgottenEarly
        Counter(label: "odometer_dedup_forgotten_early_total").increment(by: forgotten)
        if let last = lastCapWarning, last.duration(to: clock.now) < .seconds(60) { return }
        lastCapWarning = clock.now
        logger.warning("""
            the dedup window is over its memory cap: the oldest ids were forgotten early, so copies of them will be \
            counted again; raise `pipeline.dedupMemory` or shorten `pipeline.dedupWindow`
            """, metadata: ["shard": "\(shard)", "forgotten": "\(forgotten)", "remembered": "\(delta.rememberedIds)"])
    }

    private func record(_ report: FlushReport) {
        totals.add(report)
        monitor.tally.record(report)
        monitor.health.pipelineConsuming()
        Counter(label: "odometer_events_metered_total").increment(by: report.events)
        if report.duplicates > 0 { Counter(label: "odometer_events_duplicate_total").increment(by: report.duplicates) }
        Counter(label: "odometer_flushes_total").increment()
        let nanoseconds = report.duration.components.seconds * 1_000_000_000
            + report.duration.components.attoseconds / 1_000_000_000
        Timer(label: "odometer_flush_duration_seconds").recordNanoseconds(nanoseconds)
        for (code, count) in report.rejections {
            Counter(label: "odometer_events_rejected_total", dimensions: [("reason", code)]).increment(by: count)
        }
        if !report.rejections.isEmpty {
            logger.warning("rejected events dead-lettered", metadata: ["reasons": "\(report.rejections)"])
        }
        logger.debug("flushed", metadata: ["events": "\(report.events)", "keys": "\(report.keys)",
                                           "duplicates": "\(report.duplicates)",
                                           "ms": "\(nanoseconds / 1_000_000)"])
    }
}

/// What flushes committed: events metered, keys written, rejections by reason code.
public struct FlushReport: Sendable, Equatable {
    public var events = 0
    /// Copies the dedup window dropped.
    public var duplicates = 0
    public var keys = 0
    /// UNIQUE_COUNT members written beside the totals rows (one row each in `usage_unique_deltas`).
    public var uniqueRows = 0
    public var flushes = 0
    public var rejections: [String: Int] = [:]
    /// From taking the shards' deltas to the commit.
    public var duration: Duration = .zero
    /// The Postgres part of `duration`: from the first statement of the flush's transaction to
    /// its commit (the deltas already taken and encoded as COPY text).
    public var writeDuration: Duration = .zero
    /// Messages pending in all shards when this flush's write began (after the hand-off): what
    /// the flush policy compares with at its next check, to see an idle input. Not a count of
    /// the flush, so `add` leaves it out.
    public var messagesWhenWriting = 0

    public init() {}

    mutating func add(_ other: FlushReport) {
        events += other.events
        duplicates += other.duplicates
        keys += other.keys
        uniqueRows += other.uniqueRows
        flushes += other.flushes
        rejections.merge(other.rejections, uniquingKeysWith: +)
        duration += other.duration
        writeDuration += other.writeDuration
    }

    public var rejectedEvents: Int { rejections.values.reduce(0, +) }
}

/// The pipeline cannot go on; a new one resumes from Postgres.
enum PipelineError: Error, CustomStringConvertible {
    case shardStopped(Int)
    /// A flush failed earlier; nothing may be committed after it (DESIGN §5).
    case flushFailedBefore(String)
    case tooManyPartitions(Int32)
    /// A rebalance step failed (see the reason); the pipeline's deltas are dropped.
    case rebalanceFailed(String)
    /// An operator reset the offsets of stopped partitions: a new pipeline starts there.
    case offsetsReset([Int32])

    var description: String {
        switch self {
        case .shardStopped(let index): "shard \(index) stopped before handing over its deltas"
        case .flushFailedBefore(let reason): "an earlier flush of this pipeline failed (\(reason)); it commits nothing more"
        case .tooManyPartitions(let partition):
            "partition \(partition) is beyond the \(PartitionBoundaries.capacity) partitions a pipeline can meter"
        case .rebalanceFailed(let reason): reason
        case .offsetsReset(let partitions):
            "the offsets of partitions \(partitions) were reset (`odometer offsets reset`); restarting from Postgres"
        }
    }
}
