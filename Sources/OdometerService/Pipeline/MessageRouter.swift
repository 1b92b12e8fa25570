import Foundation
import KafkaClient
import MeteringCore
import Logging
import Metrics
import Synchronization

/// The consumer thread's side of the pipeline: it routes each polled message to the shard
/// that owns its partition, and carries out the rebalance protocol (`RebalanceProtocol`, which
/// decides every step: drain, catch up, flush, release; claim, start, stop).
///
/// Back-pressure: what a shard's ring cannot take waits in the shard's bounded backlog; a
/// shard whose backlog reaches its high water, or that takes nothing for a while, has its
/// partitions paused until the backlog has drained (`ShardFlowControl`), so the consumer thread
/// keeps polling, the other shards' partitions keep flowing, memory stays bounded and nothing
/// is dropped. Pauses and resumes apply at once (the router runs on the consumer thread), and a
/// resume wakes librdkafka's fetcher, which sleeps once every partition is paused.
final class MessageRouter: KafkaBatchHandler, @unchecked Sendable {
    // @unchecked Sendable is safe: `backlogs`, `flow`, `rebalance`, `assigned`, `routed`,
    // `positions` and `sawMessage` are touched only on the consumer thread (KafkaBatchHandler
    // calls come one at a time on it); `consumer` is set once by IngestPipeline.init before that
    // thread starts; `stopped`, `failure` and `firstMessageAt` are behind locks; everything else
    // is immutable or atomic.
    private let shards: [ShardWorker<KafkaMessage>]
    private let coordinator: FlushCoordinator
    private let boundaries: PartitionBoundaries
    private let inspector: KafkaTopicInspector
    private let topic: String
    private let clock: ContinuousClock
    private let logger: Logger
    private let backlogs: [MessageBacklog<KafkaMessage>]
    private var flow: ShardFlowControl<ContinuousClock.Instant>
    private var rebalance: RebalanceProtocol<ContinuousClock.Instant>
    /// The log ends read for the last claim: where each started partition's messages end for now.
    private var claimedLogEnds: [Int32: Int64] = [:]
    /// Each shard's assigned partitions, paused and resumed together.
    private var assigned: [Set<KafkaTopicPartition>]
    /// Messages pushed into each shard's ring.
    private var routed: [Int]
    /// Per partition number, the offset after the last message routed (-1: none since the last
    /// rebalance): where a resume seeks, to wake librdkafka's fetcher. Not `rd_kafka_position`:
    /// for a partition assigned again it can still hold the earlier assignment's position
    /// (rdkafka.h, on the rebalance callback), and a seek there would meter again what another
    /// member metered meanwhile.
    private var positions: [Int64] = []
    /// Where pauses and resumes go (weak: the consumer owns this router).
    weak var consumer: KafkaBatchConsumer?
    /// How many times a shard that took nothing from its full backlog for a while had its partitions paused.
    let pauses = Atomic<Int>(0)
    /// The first failure of a rebalance step; the pipeline stops on it.
    let failure = Mutex<(any Error)?>(nil)
    /// Partitions stopped because their offsets are out of range (DESIGN §5), for the flusher,
    /// which watches for an operator's reset, and for readiness.
    let stopped = Mutex<[OffsetProblem]>([])
    /// Where pauses and partitions out of range are reported (readiness, the status page).
    private let health: ServeHealth
    /// When the first message arrived (nil before): `bench` times end to end from there, as it
    /// times the raw consume ceiling from its first message.
    let firstMessageAt = Mutex<ContinuousClock.Instant?>(nil)
    /// Whether `firstMessageAt` is set (consumer thread only: one test per batch, no lock).
    private var sawMessage = false

    init(shards: [ShardWorker<KafkaMessage>], coordinator: FlushCoordinator, boundaries: PartitionBoundaries,
         inspector: KafkaTopicInspector, settings: IngestSettings, batchSize: Int, clock: ContinuousClock,
         logger: Logger, health: ServeHealth = ServeHealth()) {
        self.health = health
        self.shards = shards
        self.coordinator = coordinator
        self.boundaries = boundaries
        self.inspector = inspector
        self.topic = settings.topic
        self.clock = clock
        self.logger = logger
        // A shard is paused once its backlog reaches two batches (`ShardFlowControl`); a paused
        // shard receives nothing more (librdkafka drops its pre-fetched messages at the pause),
        // so the rest of the batch in hand is the most that follows. Two more batches of room
        // mean the consumer thread does not wait for the ring (`drainWaiting` only if it must).
        let highWater = 2 * batchSize
        backlogs = shards.map { _ in MessageBacklog(capacity: highWater + 2 * batchSize) }
        flow = ShardFlowControl(shards: shards.count, highWater: highWater, patience: settings.shardPatience,
                                now: clock.now)
        rebalance = RebalanceProtocol(catchUpLimit: settings.catchUpLimit)
        assigned = Array(repeating: [], count: shards.count)
        routed = Array(repeating: 0, count: shards.count)
    }

    /// The shard of a partition: partitions are pinned, so each is metered in order by one
    /// thread. Consumer events without a partition (-1) go to shard 0, which logs them.
    @inline(__always)
    func shardIndex(of partition: Int32) -> Int { partition < 0 ? 0 : Int(partition) % shards.count }

    func consume(_ messages: UnsafeBufferPointer<KafkaMessage>) {
        if !sawMessage, messages.contains(where: { !$0.isError }) {
            sawMessage = true
            firstMessageAt.withLock { $0 = clock.now }
        }
        for message in messages {
            if message.isOffsetOutOfRange {
                offsetOutOfRange(message)
                continue
            }
            let shard = shardIndex(of: message.partition)
            if backlogs[shard].isFull { drainWaiting(shard) }
            backlogs[shard].append(message)
            if !message.isError { record(message) }
        }
        drainBacklogs()
    }

    /// Drains what the rings take. When every shard that owns partitions is paused, a poll
    /// could only wait for its timeout, so wait for ring space here instead (at most about as
    /// long, so rebalances and stops are still served).
    func idle() {
        drainBacklogs()
        var waits = 0
        while waits < 500, isEveryPartitionPaused {
            usleep(200)
            waits += 1
            drainBacklogs()
        }
    }

    /// True when this consumer owns partitions and every one of them is paused.
    private var isEveryPartitionPaused: Bool {
        var owns = false
        for shard in shards.indices where !assigned[shard].isEmpty {
            if !flow.isPaused(shard) { return false }
            owns = true
        }
        return owns
    }

    func releaseHeldMessages() {
        for backlog in backlogs { backlog.removeAll { $0.release() } }
    }

    // MARK: back-pressure

    /// Drains what each ring takes, and pauses or resumes each shard by what is left.
    private func drainBacklogs() {
        let now = clock.now
        for shard in shards.indices {
            let took = drain(shard)
            if let action = flow.backlog(backlogs[shard].count, took: took, shard: shard, now: now) { perform(action) }
        }
    }

    /// Moves what `shard`'s ring takes from its backlog into it; returns how many.
    @discardableResult
    private func drain(_ shard: Int) -> Int {
        let pushed = backlogs[shard].drain(into: shards[shard].ring)
        if pushed > 0 { shards[shard].doorbell.ring() }
        routed[shard] += pushed
        return pushed
    }

    /// Waits until `shard`'s full backlog has gone into its ring (the shard thread is draining
    /// it), pausing the shard's partitions if it takes nothing for a while (`ShardFlowControl`).
    /// It pushes a chunk at a time (an eighth of the ring, or what is left) and sleeps between
    /// chunks: pushing each freed slot at once would spin this thread on a core the shards need.
    /// A stopped shard drains nothing: its messages stay until `releaseHeldMessages`. Returns
    /// false if `deadline` passed first.
    @discardableResult
    private func drainWaiting(_ shard: Int, until deadline: ContinuousClock.Instant? = nil) -> Bool {
        let ring = shards[shard].ring
        while !backlogs[shard].isEmpty, !shards[shard].hasStopped {
            let now = clock.now
            if let deadline, now >= deadline { return false }
            let chunk = min(max(1, ring.capacity / 8), backlogs[shard].count)
            let took = ring.capacity - ring.count >= chunk ? drain(shard) : 0
            if let action = flow.backlog(backlogs[shard].count, took: took, shard: shard, now: now) { perform(action) }
            if took == 0 { usleep(Self.chunkWait(ringCapacity: ring.capacity)) }
        }
        return true
    }

    /// Remembers where `message`'s partition goes on (one store per message, on the consumer thread).
    @inline(__always)
    private func record(_ message: KafkaMessage) {
        let partition = Int(message.partition)
        guard partition >= 0 else { return }
        if partition >= positions.count { positions += repeatElement(-1, count: partition + 1 - positions.count) }
        positions[partition] = message.offset + 1
    }

    /// Where the shard's partitions go on: a resume seeks each there (the position librdkafka
    /// would fetch from anyway), since only a seek wakes a broker thread that sleeps because
    /// every partition it leads was paused (`KafkaBatchConsumer.resume`); one per partition, for
    /// their leaders may differ. Not a partition without a message since the last rebalance, nor
    /// one stopped for an operator (librdkafka would refuse the seek: it no longer fetches it).
    private func resumePositions(of shard: Int) -> [KafkaTopicPartition: Int64] {
        let stoppedPartitions = Set(stopped.withLock { $0.map(\.partition) })
        var seeks: [KafkaTopicPartition: Int64] = [:]
        for partition in assigned[shard] where !stoppedPartitions.contains(partition.partition) {
            let index = Int(partition.partition)
            if index < positions.count, positions[index] >= 0 { seeks[partition] = positions[index] }
        }
        return seeks
    }

    /// A rebalance may start a partition elsewhere (another member may have metered on): a
    /// resume seeks nothing until a message of the new assignment has been routed.
    private func forgetPositions() {
        for index in positions.indices { positions[index] = -1 }
    }

    /// How long `drainWaiting` sleeps when the ring has no room for a chunk: an eighth of the
    /// time a shard takes to free one at a million messages a second, so the ring (seven
    /// eighths full at least) never runs dry while the consumer sleeps. With 100 µs the consumer
    /// woke 2,000–3,300 times a second in `bench`'s (d), on cores the shards were busy on; with
    /// 1 ms (the default 65,536-message ring) 1,100–1,500. Never under 100 µs, at most 2 ms.
    static func chunkWait(ringCapacity: Int) -> UInt32 {
        UInt32(min(2_000, max(100, ringCapacity / 64)))
    }

    private func perform(_ action: ShardFlowControl<ContinuousClock.Instant>.Action) {
        switch action {
        case .pause(let shard):
            pauses.add(1, ordering: .relaxed)
            Counter(label: "odometer_shard_pauses_total", dimensions: [("shard", "\(shard)")]).increment()
            consumer?.pause(Array(assigned[shard]))
            health.setPaused(shard: shard, true)
        case .resume(let shard):
            consumer?.resume(Array(assigned[shard]), seeking: resumePositions(of: shard))
            health.setPaused(shard: shard, false)
        }
    }

    // MARK: rebalance

    func partitionsAssigned(_ partitions: [KafkaTopicPartition]) throws -> [KafkaTopicPartition: Int64] {
        forgetPositions()
        var action = rebalance.assigned(partitions.map(\.partition))
        var seeks: [Int32: Int64] = [:]
        while true {
            switch action {
            case .claim(let claiming):
                action = claim(claiming)
            case .start(let starts, let stopped):
                for start in starts {
                    let end = claimedLogEnds[start.partition] ?? start.seekTo
                    try boundaries.assign(start.partition, meterFrom: start.meterFrom, deadLettered: start.deadLettered,
                                          messagesToEnd: max(0, end - start.seekTo))
                }
                seeks = start(starts, stopped: stopped)
                action = .done
            case .fail(let reason):
                throw fail(reason)
            case .done:
                return placeNewPartitions(partitions, seeks: seeks)
            default:
                throw fail("unexpected step \(action) in an assignment (this is a bug)")
            }
        }
    }

    /// Claims in Postgres, with each partition's log range from Kafka.
    private func claim(_ partitions: [Int32]) -> RebalanceProtocol<ContinuousClock.Instant>.Action {
        do {
            let logs = try inspector.watermarks(topic: topic, partitions: partitions)
                .mapValues { LogRange(low: $0.low, high: $0.high) }
            claimedLogEnds = logs.mapValues(\.high)
            let coordinator = coordinator
            let claims = try BlockingBridge.run {
                try await coordinator.claim(partitions, logStarts: logs.mapValues(\.low))
            }
            return rebalance.claimed(claims, logs: logs)
        } catch {
            return rebalance.claimFailed("\(error)")
        }
    }

    /// Logs the starts, records the stopped partitions, and returns where to seek: a stopped
    /// partition is "started" at its out-of-range offset, so librdkafka itself refuses to fetch it.
    private func start(_ starts: [FetchStart], stopped problems: [OffsetProblem]) -> [Int32: Int64] {
        var seeks: [Int32: Int64] = [:]
        for start in starts {
            seeks[start.partition] = start.seekTo
            if start.seekTo < start.meterFrom {
                logger.info("rebuilding the dedup window of partition \(start.partition) from its log",
                            metadata: ["from": "\(start.seekTo)", "meterFrom": "\(start.meterFrom)"])
            }
            if !start.windowCoveredByLog {
                Counter(label: ServeMetric.dedupWindowCut.name, dimensions: [("partition", "\(start.partition)")]).increment()
                logger.warning("""
                    retention already deleted part of partition \(start.partition)'s dedup window: \
                    copies of events older than offset \(start.seekTo) will not be recognised
                    """)
            }
        }
        for problem in problems {
            seeks[problem.partition] = problem.storedOffset
            stop(problem)
        }
        return seeks
    }

    /// New partitions follow their shard: paused behind a backlog, otherwise flowing (which also
    /// clears a pause left from an earlier assignment of the same partition).
    private func placeNewPartitions(_ partitions: [KafkaTopicPartition],
                                    seeks: [Int32: Int64]) -> [KafkaTopicPartition: Int64] {
        var result: [KafkaTopicPartition: Int64] = [:]
        var paused: [KafkaTopicPartition] = []
        var flowing: [KafkaTopicPartition] = []
        for partition in partitions {
            let shard = shardIndex(of: partition.partition)
            if let seek = seeks[partition.partition] { result[partition] = seek }
            assigned[shard].insert(partition)
            if flow.isPaused(shard) { paused.append(partition) } else { flowing.append(partition) }
        }
        if !paused.isEmpty { consumer?.pause(paused) }
        if !flowing.isEmpty { consumer?.resume(flowing) }
        return result
    }

    func partitionsRevoked(_ partitions: [KafkaTopicPartition]) {
        forgetPositions()
        var action = rebalance.revoked(partitions.map(\.partition), now: clock.now)
        // A shard with a full window takes its messages meanwhile: the flush that would empty
        // its window comes after the drain and the catch-up.
        for shard in shards { shard.raiseCatchUp() }
        defer { for shard in shards { shard.lowerCatchUp() } }
        while true {
            switch action {
            case .drainBacklogs(let deadline):
                let drained = shards.indices.allSatisfy { drainWaiting($0, until: deadline) }
                drainBacklogs()   // resumes the shards whose backlog is now empty
                action = drained ? rebalance.backlogsDrained() : rebalance.shardsTimedOut()
            case .awaitShards(let deadline):
                action = waitUntilShardsCaughtUp(deadline: deadline)
                    ? rebalance.shardsCaughtUp() : rebalance.shardsTimedOut()
            case .flush:
                let coordinator = coordinator
                do {
                    _ = try BlockingBridge.run { try await coordinator.flush() }
                    action = rebalance.flushCommitted()
                } catch {
                    action = rebalance.flushFailed("\(error)")
                }
            case .release(let released):
                let coordinator = coordinator
                _ = try? BlockingBridge.run { await coordinator.release(released) }
                stopped.withLock { $0.removeAll { released.contains($0.partition) } }
                for partition in released { health.clearOutOfRange(partition: partition) }
                action = .done
            case .fail(let reason):
                _ = fail(reason)
                action = .done
            case .done:
                for partition in partitions { assigned[shardIndex(of: partition.partition)].remove(partition) }
                return
            default:
                _ = fail("unexpected step \(action) in a revocation (this is a bug)")
                action = .done
            }
        }
    }

    /// Records the first failure (the pipeline stops on it) and returns it.
    private func fail(_ reason: String) -> PipelineError {
        logger.error("rebalance failed: \(reason)")
        let error = PipelineError.rebalanceFailed(reason)
        failure.withLock { if $0 == nil { $0 = error } }
        return error
    }

    // MARK: offsets out of range

    /// The fetcher stopped a partition: its offset fell outside the log while consuming.
    private func offsetOutOfRange(_ message: KafkaMessage) {
        let partition = message.partition
        let offset = message.offset
        message.release()
        let watermarks = try? inspector.watermarks(topic: topic, partitions: [partition])[partition]
        let log = watermarks.map { LogRange(low: $0.low, high: $0.high) } ?? LogRange(low: -1, high: -1)
        if case .stop(let problem) = rebalance.offsetOutOfRange(partition: partition, offset: offset, log: log) {
            stop(problem)
        }
    }

    /// A partition stays unfetched until an operator decides (`odometer offsets reset`).
    private func stop(_ problem: OffsetProblem) {
        logger.error("stopped partition \(problem.partition) of \(topic): \(problem)")
        health.setOutOfRange(partition: problem.partition, message: "\(problem)")   // also sets the gauge to 1
        stopped.withLock { stopped in
            stopped.removeAll { $0.partition == problem.partition }
            stopped.append(problem)
        }
    }

    // MARK: catching up

    /// Waits until every routed message has been metered by its shard (a shard with a full
    /// window takes its messages meanwhile: the flush that would empty it comes after this).
    /// Returns false if `deadline` passed first.
    @discardableResult
    func waitUntilShardsCaughtUp(deadline: ContinuousClock.Instant? = nil) -> Bool {
        for shard in shards { shard.raiseCatchUp() }
        defer { for shard in shards { shard.lowerCatchUp() } }
        for (index, shard) in shards.enumerated() {
            while shard.processed.load(ordering: .acquiring) < routed[index] {
                if let deadline, clock.now >= deadline { return false }
                usleep(100)
            }
        }
        return true
    }
}
