import Foundation
import KafkaClient
public import Logging
public import MeteringCore
public import PostgresNIO
import PostgresStore
public import ServiceLifecycle
import Synchronization

/// The ingest path, wired: Kafka consumer thread → per-shard rings → shard threads (dedup,
/// metering) → flusher → Postgres (each shard's totals and fenced offsets in one transaction).
///
/// `run()` runs until its task is cancelled or the service group shuts down gracefully; it
/// then stops consuming, flushes the last deltas and returns. It throws if Kafka or Postgres
/// fail: every in-memory delta is then dropped and a new pipeline resumes from the offsets
/// in Postgres, which is what makes a failure cost time, never correctness. It also ends,
/// after a graceful stop, with `PipelineError.offsetsReset` when an operator reset the offsets
/// of a partition it had stopped: the next pipeline starts there. `crash()` simulates
/// `kill -9` for tests: nothing more is flushed and the group is not left.
public final class IngestPipeline: Service, Sendable {
    public let settings: IngestSettings
    private let shards: [ShardWorker<KafkaMessage>]
    private let router: MessageRouter
    private let coordinator: FlushCoordinator
    private let consumer: KafkaBatchConsumer
    private let producer: KafkaProducer
    private let logger: Logger
    private let clock: ContinuousClock
    private let compaction: CompactionLoop
    private let crashed = Mutex(false)
    /// Where this pipeline reports its health and committed flushes (`serve` reads them).
    public let monitor: PipelineMonitor

    /// - Parameters:
    ///   - clock: measures flush durations, intervals and deadlines.
    ///   - wallClock: compared with Kafka's append times.
    public convenience init(settings: IngestSettings, catalog: MeterCatalog, directory: AccountDirectory,
                            postgres: PostgresClient, logger: Logger, clock: ContinuousClock = ContinuousClock(),
                            wallClock: WallClock = .system, monitor: PipelineMonitor = PipelineMonitor()) throws {
        try self.init(settings: settings, catalog: catalog, accounts: AccountBook(directory), postgres: postgres,
                      logger: logger, clock: clock, wallClock: wallClock, monitor: monitor)
    }

    /// - Parameter accounts: shared with whoever refreshes them (`serve`); the shards follow its changes.
    public init(settings: IngestSettings, catalog: MeterCatalog, accounts: AccountBook,
                postgres: PostgresClient, logger: Logger, clock: ContinuousClock = ContinuousClock(),
                wallClock: WallClock = .system, monitor: PipelineMonitor = PipelineMonitor()) throws {
        self.settings = settings
        self.logger = logger
        self.monitor = monitor
        self.clock = clock
        // The dead-letter producer reaches the same cluster as the consumer: on a SASL/TLS cluster it
        // needs the same properties, or the first invalid event would stall ingestion.
        producer = try KafkaProducer(bootstrapServers: settings.brokers,
                                     properties: ["linger.ms": "5"].merging(settings.kafkaProperties) { _, configured in configured },
                                     logger: logger)
        let deadLetters = DeadLetterSink(topic: settings.deadLetterTopic, producer: producer, logger: logger)
        let boundaries = PartitionBoundaries()
        shards = (0..<settings.shards).map {
            ShardWorker<KafkaMessage>(
                index: $0, catalog: catalog, accounts: accounts, deadLetters: deadLetters,
                ringCapacity: settings.ringCapacity, windowKeyLimit: settings.windowKeyLimit,
                dedup: settings.dedup.map {
                    DedupFilter(window: $0.window, memoryLimitBytes: $0.memoryLimitBytes / settings.shards)
                },
                boundaries: boundaries, logger: logger)
        }
        let consumerConfiguration = KafkaConsumerConfiguration(
            bootstrapServers: settings.brokers, groupID: settings.group, sessionTimeout: settings.sessionTimeout,
            batchSize: 8192, properties: settings.kafkaProperties)
        let commits = AdvisoryCommits(topic: settings.topic)
        coordinator = FlushCoordinator(
            shards: shards, writer: TotalsFlushWriter(client: postgres, logger: logger),
            offsetStore: PartitionOffsetStore(client: postgres, logger: logger), deadLetters: deadLetters,
            settings: settings, logger: logger, clock: clock, unixMilliseconds: wallClock.unixMilliseconds,
            monitor: monitor, onCommitted: { commits.commit($0) })
        compaction = CompactionLoop(compactor: DeltaCompactor(client: postgres, logger: logger),
                                    settings: settings.compaction, clock: clock, logger: logger)
        let inspector = try KafkaTopicInspector(bootstrapServers: settings.brokers, properties: settings.kafkaProperties,
                                                logger: logger)
        router = MessageRouter(shards: shards, coordinator: coordinator, boundaries: boundaries, inspector: inspector,
                               settings: settings, batchSize: 8192, clock: clock, logger: logger, health: monitor.health)
        consumer = try KafkaBatchConsumer(configuration: consumerConfiguration, handler: router, logger: logger)
        router.consumer = consumer
        commits.consumer = consumer
    }

    /// When the group first assigned partitions to this pipeline (joining takes seconds).
    public var firstAssignment: ContinuousClock.Instant? {
        get async { await coordinator.firstClaim }
    }

    /// When the first message arrived, and when the latest flush committed (`bench` times end
    /// to end between the two).
    public var firstMessage: ContinuousClock.Instant? { router.firstMessageAt.withLock { $0 } }
    public var lastCommit: ContinuousClock.Instant? {
        get async { await coordinator.lastCommit }
    }

    /// Milliseconds from Kafka append to committed total of the sampled messages so far.
    public var commitLatencies: [Int64] {
        get async { await coordinator.commitLatencies }
    }

    /// The value the dead-letter producer's librdkafka client holds for `name`.
    public func deadLetterProducerSetting(_ name: String) -> String? { producer.setting(name) }

    /// How many times a shard had its partitions paused (back-pressure, `ShardFlowControl`).
    public var backPressurePauses: Int { router.pauses.load(ordering: .relaxed) }
    /// Times a shard's window reached `windowKeyLimit` and the shard waited for the flusher.
    public var windowStalls: Int { shards.reduce(0) { $0 + $1.windowStalls.load(ordering: .relaxed) } }
    /// Strings the shards held interned at the last flush (bounded over time: issue 14).
    public var internedStrings: Int {
        get async { await coordinator.interned }
    }

    /// Ids the dedup windows held at the last flush, and the memory they took.
    public var dedupFootprint: (ids: Int, bytes: Int) {
        get async { await coordinator.dedupFootprint }
    }

    /// Flushes held back because the compaction backlog was over its limit.
    public var flushesHeldForCompaction: Int { compaction.heldFlushes.load(ordering: .relaxed) }

    /// Messages read again only to rebuild dedup windows after assignments.
    public var messagesReadForDedup: Int { shards.reduce(0) { $0 + $1.primed.load(ordering: .relaxed) } }
    /// Flushes asked of the coordinator so far, by the flusher or by revocations.
    var flushRequests: Int { coordinator.flushRequests.load(ordering: .relaxed) }
    /// Partitions stopped because their stored offsets are out of range (DESIGN §5).
    public var stoppedPartitions: [OffsetProblem] { router.stopped.withLock { $0 } }

    public func resetLatencies() async { await coordinator.resetLatencies() }

    /// What has been committed so far.
    public var committed: FlushReport {
        get async { await coordinator.totals }
    }

    public func run() async throws {
        let compacting = Task { [consumer] in await compaction.run(fullBatches: { consumer.fullBatches }) }
        defer { compacting.cancel() }
        for shard in shards { shard.start() }
        do {
            try consumer.start(subscribing: [settings.topic])
        } catch {
            await halt()   // the shard threads would outlive the pipeline
            throw error
        }
        logger.info("ingesting", metadata: ["topic": "\(settings.topic)", "group": "\(settings.group)",
                                            "shards": "\(settings.shards)"])
        do {
            try await cancelWhenGracefulShutdown { try await self.flushUntilStopped() }
        } catch is CancellationError {
            // Graceful stop below.
        } catch let reset as PipelineError {
            guard case .offsetsReset = reset else {
                await halt()
                throw reset
            }
            try await stopGracefully()
            throw reset
        } catch {
            await halt()
            throw error
        }
        guard !crashed.withLock({ $0 }) else { return await halt() }
        try await stopGracefully()
    }

    /// The flusher: flushes whenever the policy says so, until cancelled or crashed. While a
    /// partition is stopped for an operator, it also watches for its offsets being reset.
    private func flushUntilStopped() async throws {
        var policy = FlushPolicy(interval: settings.flushInterval, maximumKeys: settings.flushMaxKeys,
                                 now: clock.now)
        let tick = min(settings.flushInterval / 4, .milliseconds(20))
        var nextResetCheck = clock.now
        while !Task.isCancelled, !crashed.withLock({ $0 }) {
            try checkHealth()
            let pending = coordinator.pending()
            var flushed = false
            if policy.shouldFlush(now: clock.now, pendingKeys: pending.keys, pendingMessages: pending.messages),
               compaction.flushMayProceed() {
                let started = clock.now
                let report = try await coordinator.flush()
                compaction.appended(rows: report.keys + report.uniqueRows)
                policy.flushed(at: clock.now, took: started.duration(to: clock.now),
                               messagesWhenWriting: report.messagesWhenWriting)
                flushed = true
            }
            if clock.now >= nextResetCheck {
                nextResetCheck = clock.now + .seconds(1)
                let stopped = stoppedPartitions.map(\.partition)
                let reset = try await coordinator.claimsMovedOn(stopped)
                if !reset.isEmpty { throw PipelineError.offsetsReset(reset) }
            }
            // Right after a flush, look again at once: if nothing arrived while it wrote, the
            // input is idle and what came in during the flush is committed now.
            if flushed { continue }
            try await Task.sleep(for: policy.nextCheck(now: clock.now, tick: tick))
        }
    }

    /// Simulates `kill -9`: stops at once without flushing or leaving the group.
    public func crash() async {
        crashed.withLock { $0 = true }
        await halt()
    }

    /// Stops consuming (the revocation flushes), flushes what is left, stops the shards.
    private func stopGracefully() async throws {
        await onThread { self.consumer.stop() }
        if let failure = router.failure.withLock({ $0 }) { throw failure }
        await onThread { _ = self.router.waitUntilShardsCaughtUp() }
        try await coordinator.flush()
        await onThread { for shard in self.shards { shard.stop() } }
        await onThread { try? self.producer.flush(timeout: .seconds(10)) }
        let report = await coordinator.totals
        logger.info("stopped", metadata: ["events": "\(report.events)", "rejected": "\(report.rejectedEvents)"])
    }

    /// Stops everything without flushing; in-memory deltas are dropped (Postgres has the truth).
    private func halt() async {
        await onThread { self.consumer.stopWithoutLeaving() }
        await onThread { for shard in self.shards { shard.stop() } }
    }

    private func checkHealth() throws {
        if case .failed(let error) = consumer.outcome { throw error }
        if let failure = router.failure.withLock({ $0 }) { throw failure }
    }

    /// Runs blocking calls (librdkafka's, and waits for the shard threads) off the cooperative
    /// thread pool, which has one thread per core: a wait there stalls every task of the process.
    private func onThread(_ work: @escaping @Sendable () -> Void) async {
        _ = try? await BlockingCall.run(work)
    }
}

/// Forwards committed offsets to Kafka, only so lag dashboards work (DESIGN §5).
private final class AdvisoryCommits: @unchecked Sendable {
    // @unchecked Sendable is safe: `consumer` is set once in IngestPipeline.init, before the
    // consumer starts and thus before any flush can call `commit`. Weak: the consumer owns the
    // router, which owns the coordinator, which owns this; a strong reference would leak the whole
    // pipeline, its librdkafka clients still reconnecting, after it stopped.
    let topic: String
    weak var consumer: KafkaBatchConsumer?

    init(topic: String) { self.topic = topic }

    func commit(_ offsets: [Int32: Int64]) {
        var byPartition: [KafkaTopicPartition: Int64] = [:]
        for (partition, next) in offsets { byPartition[KafkaTopicPartition(topic: topic, partition: partition)] = next }
        consumer?.commitAdvisory(byPartition)
    }
}
