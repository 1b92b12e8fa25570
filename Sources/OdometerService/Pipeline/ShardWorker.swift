import Foundation
import KafkaClient
import Logging
import MeteringBuffers
import MeteringCore
import Synchronization

/// One aggregation shard: a thread that takes Kafka messages from its ring, decodes and
/// meters them, dead-letters the invalid ones, and hands deltas to the flusher on request.
///
/// Partitions are pinned to shards, so a partition's messages are metered in order by one
/// thread. Per message there is no lock, no `await` and, for known keys, no allocation.
final class ShardWorker: @unchecked Sendable {
    // @unchecked Sendable is safe: `decoder`, `aggregator` and `batch` are used only by the
    // shard's own thread (started in `start`, joined in `stop`); other threads reach the
    // worker only through `ring` (SPSC: the consumer thread pushes), `handoff` (atomics) and
    // the atomic `processed`/`running` counters.
    let index: Int
    let ring: SPSCRing<KafkaMessage>
    let handoff = DeltaHandoff()
    /// Messages fully handled (metered or dead-lettered, and released).
    let processed = Atomic<Int>(0)
    private let running = Atomic<Bool>(true)
    /// Set when the thread has ended; a delta requested after that never comes.
    let stopped = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)
    private let decoder: EventDecoder
    private let aggregator: ShardAggregator
    private let deadLetters: DeadLetterSink
    private let batch: UnsafeMutableBufferPointer<KafkaMessage>
    private let logger: Logger
    /// One message in `latencySampleInterval` gives its append time to the latency figures.
    static let latencySampleInterval = 256
    private var sampled: [Int64] = []
    private var sampleCountdown = 1

    init(index: Int, catalog: MeterCatalog, directory: AccountDirectory, deadLetters: DeadLetterSink,
         ringCapacity: Int, logger: Logger) {
        self.index = index
        ring = SPSCRing(capacity: ringCapacity)
        decoder = EventDecoder(catalog: catalog)
        aggregator = ShardAggregator(catalog: catalog, directory: directory)
        self.deadLetters = deadLetters
        batch = .allocate(capacity: 2048)
        self.logger = logger
    }

    deinit { batch.deallocate() }

    func start() {
        let thread = Thread { [self] in
            run()
            finished.signal()
        }
        thread.name = "odometer-shard-\(index)"
        thread.start()
    }

    /// Stops the thread after the messages already in the ring; pending deltas stay unflushed
    /// (the caller flushes first when it wants them).
    func stop() {
        guard running.exchange(false, ordering: .acquiringAndReleasing) else { return }
        finished.wait()
    }

    private func run() {
        var idleRounds = 0
        while running.load(ordering: .acquiring) || !ring.isEmpty {
            let count = ring.pop(into: batch)
            for position in 0..<count { handle(batch[position]) }
            if count > 0 {
                processed.add(count, ordering: .releasing)
                handoff.pendingKeys.store(aggregator.pendingKeys, ordering: .relaxed)
                handoff.pendingMessages.add(count, ordering: .relaxed)
                if aggregator.windowEvents >= ShardAggregator.windowEventLimit {
                    logger.warning("shard \(index) holds \(aggregator.windowEvents) events unflushed; is the flusher stuck?")
                }
            }
            if handoff.isRequested {
                handoff.serve {
                    handoff.pendingKeys.store(0, ordering: .relaxed)
                    handoff.pendingMessages.store(0, ordering: .relaxed)
                    return drain()
                }
            }
            if count == 0 {
                idleRounds += 1
                if idleRounds > 64 { usleep(idleRounds > 1024 ? 1000 : 50) }
            } else {
                idleRounds = 0
            }
        }
        if handoff.isRequested { handoff.serve { drain() } }
        stopped.store(true, ordering: .releasing)
    }

    private func drain() -> ShardDelta {
        var delta = aggregator.drain()
        delta.sampledAppendMilliseconds = sampled
        sampled.removeAll(keepingCapacity: true)
        return delta
    }

    @inline(__always)
    private func handle(_ message: KafkaMessage) {
        defer { message.release() }
        guard !message.isError else {
            logger.debug("consumer event on partition \(message.partition): \(message.errorDescription ?? "unknown")")
            return
        }
        let partition = message.partition
        let offset = message.offset
        sampleCountdown &-= 1
        if sampleCountdown == 0 {
            sampleCountdown = Self.latencySampleInterval
            if let appended = message.timestampMilliseconds { sampled.append(appended) }
        }
        if let reason = decoder.decode(message.payload) {
            aggregator.recordRejection(reason)
            deadLetters.send(message, reason: reason)
        } else {
            aggregator.aggregate(decoder, partition: partition, offset: offset)
        }
        aggregator.recordProgress(partition: partition, offset: offset)
    }
}
