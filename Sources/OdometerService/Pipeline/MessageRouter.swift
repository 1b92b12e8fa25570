import Foundation
import KafkaClient
import MeteringCore
import Logging
import Metrics
import Synchronization

/// The consumer thread's side of the pipeline: it routes each polled message to the shard
/// that owns its partition, and turns rebalances into claims and flushes.
///
/// Back-pressure: what a shard's ring cannot take waits in the shard's bounded backlog, and
/// the shard's partitions are paused until the backlog has drained (`ShardFlowControl`), so
/// the other shards' partitions keep flowing, memory stays bounded and nothing is dropped.
/// Revocation first drains the backlogs and waits until the shards have metered every message
/// routed, then flushes, so the revoked partitions' totals and offsets are committed before
/// another owner can read them.
final class MessageRouter: KafkaBatchHandler, @unchecked Sendable {
    // @unchecked Sendable is safe: `backlogs`, `flow`, `assigned` and `routed` are touched only
    // on the consumer thread (KafkaBatchHandler calls come one at a time on it); `consumer` is
    // set once by IngestPipeline.init before that thread starts; everything else is immutable
    // or atomic.
    private let shards: [ShardWorker<KafkaMessage>]
    private let coordinator: FlushCoordinator
    private let logger: Logger
    private let health: ServeHealth
    private let backlogs: [MessageBacklog<KafkaMessage>]
    private var flow: ShardFlowControl
    /// Each shard's assigned partitions, paused and resumed together.
    private var assigned: [Set<KafkaTopicPartition>]
    /// Messages pushed into each shard's ring.
    private var routed: [Int]
    /// Where pauses and resumes go (weak: the consumer owns this router).
    weak var consumer: KafkaBatchConsumer?
    /// How many times a full ring paused its shard's partitions.
    let pauses = Atomic<Int>(0)
    /// The first failure of a rebalance flush; the pipeline stops on it.
    let failure = Mutex<(any Error)?>(nil)

    init(shards: [ShardWorker<KafkaMessage>], coordinator: FlushCoordinator, batchSize: Int, logger: Logger,
         health: ServeHealth = ServeHealth()) {
        self.shards = shards
        self.coordinator = coordinator
        self.logger = logger
        self.health = health
        // A paused shard receives nothing more, so one batch beyond what its ring holds is
        // the usual most; twice that leaves room for messages fetched before a pause applied.
        backlogs = shards.map { _ in MessageBacklog(capacity: 2 * batchSize) }
        flow = ShardFlowControl(shards: shards.count)
        assigned = Array(repeating: [], count: shards.count)
        routed = Array(repeating: 0, count: shards.count)
    }

    /// The shard of a partition: partitions are pinned, so each is metered in order by one
    /// thread. Consumer events without a partition (-1) go to shard 0, which logs them.
    @inline(__always)
    func shardIndex(of partition: Int32) -> Int { partition < 0 ? 0 : Int(partition) % shards.count }

    func consume(_ messages: UnsafeBufferPointer<KafkaMessage>) {
        for message in messages {
            let shard = shardIndex(of: message.partition)
            if backlogs[shard].isFull { drainWaiting(shard) }
            backlogs[shard].append(message)
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

    /// Drains what each ring takes, and pauses or resumes each shard by what is left.
    private func drainBacklogs() {
        for shard in shards.indices {
            drain(shard)
            if let action = flow.backlog(backlogs[shard].count, shard: shard) { perform(action) }
        }
    }

    /// Moves what `shard`'s ring takes from its backlog into it; returns how many.
    @discardableResult
    private func drain(_ shard: Int) -> Int {
        let pushed = backlogs[shard].drain(into: shards[shard].ring)
        routed[shard] += pushed
        return pushed
    }

    /// Waits until `shard`'s backlog has gone into its ring (the shard thread is draining it).
    /// A stopped shard drains nothing: its messages stay until `releaseHeldMessages`.
    private func drainWaiting(_ shard: Int) {
        var waits = 0
        while !backlogs[shard].isEmpty, !shards[shard].hasStopped {
            if drain(shard) == 0 {
                waits += 1
                usleep(waits < 100 ? 20 : 200)
            }
        }
    }

    private func perform(_ action: ShardFlowControl.Action) {
        switch action {
        case .pause(let shard):
            pauses.add(1, ordering: .relaxed)
            Counter(label: "odometer_shard_pauses_total", dimensions: [("shard", "\(shard)")]).increment()
            consumer?.pause(Array(assigned[shard]))
            health.setPaused(shard: shard, true)
        case .resume(let shard):
            consumer?.resume(Array(assigned[shard]))
            health.setPaused(shard: shard, false)
        }
    }

    func partitionsAssigned(_ partitions: [KafkaTopicPartition]) throws -> [KafkaTopicPartition: Int64] {
        let numbers = partitions.map(\.partition)
        let coordinator = coordinator
        let starts = try BlockingBridge.run { try await coordinator.claim(numbers) }
        var result: [KafkaTopicPartition: Int64] = [:]
        // New partitions follow their shard: paused behind a backlog, otherwise flowing (which
        // also clears a pause left from an earlier assignment of the same partition).
        var paused: [KafkaTopicPartition] = []
        var flowing: [KafkaTopicPartition] = []
        for partition in partitions {
            let shard = shardIndex(of: partition.partition)
            result[partition] = starts[partition.partition] ?? 0
            assigned[shard].insert(partition)
            if flow.isPaused(shard) { paused.append(partition) } else { flowing.append(partition) }
        }
        if !paused.isEmpty { consumer?.pause(paused) }
        if !flowing.isEmpty { consumer?.resume(flowing) }
        return result
    }

    func partitionsRevoked(_ partitions: [KafkaTopicPartition]) {
        for shard in shards.indices { drainWaiting(shard) }
        drainBacklogs()   // resumes the shards whose backlog is now empty
        waitUntilShardsCaughtUp()
        let numbers = partitions.map(\.partition)
        let coordinator = coordinator
        do {
            try BlockingBridge.run { try await coordinator.release(numbers) }
        } catch {
            logger.error("flush on revocation failed: \(error)")
            failure.withLock { if $0 == nil { $0 = error } }
        }
        for partition in partitions { assigned[shardIndex(of: partition.partition)].remove(partition) }
    }

    /// Waits until every routed message has been metered by its shard (a shard with a full
    /// window takes its messages meanwhile: the flush that would empty it comes after this).
    func waitUntilShardsCaughtUp() {
        for shard in shards { shard.catchUpRequests.add(1, ordering: .releasing) }
        defer { for shard in shards { shard.catchUpRequests.subtract(1, ordering: .releasing) } }
        for (index, shard) in shards.enumerated() {
            while shard.processed.load(ordering: .acquiring) < routed[index] { usleep(100) }
        }
    }
}
