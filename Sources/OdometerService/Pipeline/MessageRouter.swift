import Foundation
import KafkaClient
import Logging
import Synchronization

/// The consumer thread's side of the pipeline: it routes each polled message to the shard
/// that owns its partition, and turns rebalances into claims and flushes.
///
/// Back-pressure: when a shard's ring is full the consumer thread waits (it stops polling),
/// so memory stays bounded and nothing is dropped. Revocation first waits until the shards
/// have metered every message already routed, then flushes, so the revoked partitions' totals
/// and offsets are committed before another owner can read them.
final class MessageRouter: KafkaBatchHandler, @unchecked Sendable {
    // @unchecked Sendable is safe: `staging` and `routed` are touched only on the consumer
    // thread (KafkaBatchHandler calls come one at a time on it); everything else is immutable
    // or atomic.
    private let shards: [ShardWorker<KafkaMessage>]
    private let coordinator: FlushCoordinator
    private let logger: Logger
    private let staging: [UnsafeMutableBufferPointer<KafkaMessage>]
    private var routed: [Int]
    /// The first failure of a rebalance flush; the pipeline stops on it.
    let failure = Mutex<(any Error)?>(nil)

    init(shards: [ShardWorker<KafkaMessage>], coordinator: FlushCoordinator, batchSize: Int, logger: Logger) {
        self.shards = shards
        self.coordinator = coordinator
        self.logger = logger
        staging = shards.map { _ in .allocate(capacity: batchSize) }
        routed = Array(repeating: 0, count: shards.count)
    }

    deinit { for buffer in staging { buffer.deallocate() } }

    /// The shard of a partition: partitions are pinned, so each is metered in order by one thread.
    @inline(__always)
    func shardIndex(of partition: Int32) -> Int { Int(partition) % shards.count }

    func consume(_ messages: UnsafeBufferPointer<KafkaMessage>) {
        var counts = Array(repeating: 0, count: shards.count)
        for message in messages {
            let shard = shardIndex(of: message.partition)
            staging[shard][counts[shard]] = message
            counts[shard] += 1
        }
        for shard in shards.indices where counts[shard] > 0 {
            var pushed = 0
            var waits = 0
            while pushed < counts[shard] {
                let slice = UnsafeBufferPointer(rebasing: staging[shard][pushed..<counts[shard]])
                let count = shards[shard].ring.push(contentsOf: slice)
                pushed += count
                if count == 0 {
                    waits += 1
                    usleep(waits < 100 ? 20 : 200)
                }
            }
            routed[shard] += counts[shard]
        }
    }

    func partitionsAssigned(_ partitions: [KafkaTopicPartition]) throws -> [KafkaTopicPartition: Int64] {
        let numbers = partitions.map(\.partition)
        let coordinator = coordinator
        let starts = try BlockingBridge.run { try await coordinator.claim(numbers) }
        var result: [KafkaTopicPartition: Int64] = [:]
        for partition in partitions { result[partition] = starts[partition.partition] ?? 0 }
        return result
    }

    func partitionsRevoked(_ partitions: [KafkaTopicPartition]) {
        waitUntilShardsCaughtUp()
        let numbers = partitions.map(\.partition)
        let coordinator = coordinator
        do {
            try BlockingBridge.run { try await coordinator.release(numbers) }
        } catch {
            logger.error("flush on revocation failed: \(error)")
            failure.withLock { if $0 == nil { $0 = error } }
        }
    }

    func idle() {}

    /// Waits until every routed message has been metered by its shard.
    func waitUntilShardsCaughtUp() {
        for (index, shard) in shards.enumerated() {
            while shard.processed.load(ordering: .acquiring) < routed[index] { usleep(100) }
        }
    }
}
