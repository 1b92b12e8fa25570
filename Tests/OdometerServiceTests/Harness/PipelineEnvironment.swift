import Foundation
import KafkaClient
import Logging
import MeteringCore
import MeteringWorkload
import OdometerService
import OdometerDemo
import OdometerTestSupport
import PostgresNIO
import PostgresStore
import Synchronization

/// Real parts for one test: a Kafka mock cluster with a topic, a throwaway Postgres (or a fresh
/// database on `DATABASE_URL`) with the schema, and helpers to produce, meter and read back.
final class PipelineEnvironment: Sendable {
    let kafka: KafkaMockCluster
    let database: LocalPostgresCluster
    let postgres: PostgresClient
    let topic = "usage"
    let group: String
    let accounts: [Account]
    let period = BillingPeriod("2026-10")!
    let logger: Logger
    let meters: [Meter]
    /// Weak: a test may check that a pipeline it dropped released its clients.
    private let pipelines = Mutex<[WeakPipeline]>([])

    static func with<Result: Sendable>(
        partitions: Int32 = 8, accounts: Int = 2_000, meters: [Meter] = UsageWorkload.meters,
        _ body: @Sendable (PipelineEnvironment) async throws -> Result
    ) async throws -> Result {
        var logger = Logger(label: "odometer.test")
        logger.logLevel = .warning
        let kafka = try KafkaMockCluster(brokers: 3, logger: nil)
        defer { kafka.close() }
        try kafka.createTopic("usage", partitions: partitions)
        try kafka.createTopic("usage.dlq", partitions: 1)
        let database = try await LocalPostgresCluster.fromEnvironmentOrStart(logger: logger)
        let postgres = PostgresClient(configuration: database.postgresURL.clientConfiguration, backgroundLogger: logger)
        let environment = PipelineEnvironment(kafka: kafka, database: database, postgres: postgres,
                                              accounts: accounts, meters: meters, logger: logger)
        do {
            let result = try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await postgres.run() }
                defer { group.cancelAll() }
                try await SchemaMigrator.migrate(client: postgres, logger: logger)
                return try await body(environment)
            }
            await environment.stopPipelines()
            await database.stop()
            return result
        } catch {
            await environment.stopPipelines()
            await database.stop()
            throw error
        }
    }

    private init(kafka: KafkaMockCluster, database: LocalPostgresCluster, postgres: PostgresClient,
                 accounts: Int, meters: [Meter], logger: Logger) {
        self.meters = meters
        self.kafka = kafka
        self.database = database
        self.postgres = postgres
        self.accounts = (0..<accounts).map { Account(id: UsageWorkload.accountID($0), plan: $0 % 10 == 9 ? "enterprise" : "pro",
                                                     odooPartnerRef: UsageWorkload.accountID($0)) }
        self.logger = logger
        group = "odometer-test-\(UUID().uuidString.prefix(8))"
    }

    var settings: IngestSettings {
        IngestSettings(brokers: kafka.bootstrapServers, topic: topic, group: group, shards: 2,
                       flushInterval: .milliseconds(100), sessionTimeout: .seconds(6))
    }

    func pipeline(ringCapacity: Int? = nil, windowKeyLimit: Int? = nil, settings: IngestSettings? = nil,
                  catalog: MeterCatalog? = nil) throws -> IngestPipeline {
        var settings = settings ?? self.settings
        if let ringCapacity { settings.ringCapacity = ringCapacity }
        if let windowKeyLimit { settings.windowKeyLimit = windowKeyLimit }
        let pipeline = try IngestPipeline(settings: settings, catalog: catalog ?? MeterCatalog(meters: meters),
                                          directory: try AccountDirectory(accounts: accounts), postgres: postgres,
                                          logger: logger)
        pipelines.withLock { $0.append(WeakPipeline(pipeline: pipeline)) }
        return pipeline
    }

    /// Crashes every pipeline the test made (a no-op for one that has stopped), before the
    /// cluster and the database go: a test that fails while its pipeline runs would otherwise
    /// leave it running, and reconnecting to nothing, until the whole test run ends.
    private func stopPipelines() async {
        for pipeline in pipelines.withLock({ $0.compactMap(\.pipeline) }) { await pipeline.crash() }
    }

    var pricer: UsagePricer { UsagePricer(meters: meters, plans: DemoCatalog.plans, accounts: accounts) }

    var workload: UsageWorkload { UsageWorkload(accounts: accounts.count, period: period) }

    /// Produces generated events `first ..< first + count` (the stream `recount(_:)` sees).
    ///
    /// Every `produce…` runs on a thread of its own (`BlockingCall`): a paced stream sleeps for tens of
    /// seconds and a flush waits for the broker, and a thread of the cooperative pool (one per core)
    /// held that long stalls every other test's tasks, the pipeline's own flushes among them.
    func produce(_ count: Int, first: Int = 0, rate: Int? = nil) async throws {
        let (brokers, topic, workload) = (kafka.bootstrapServers, topic, workload)
        try await BlockingCall.run {
            let producer = try KafkaProducer(bootstrapServers: brokers, logger: nil)
            try WorkloadProducer(producer: producer, topic: topic).produce(
                workload, count: count, first: first, seed: 42, rate: rate)
        }
    }

    /// The independent recount of what `produce` sent in batches of these sizes, from event 0.
    func recount(_ batches: Int...) -> Recount {
        var recount = Recount(period: period.description)
        var first = 0
        for count in batches {
            for event in workload.stream(count: count, first: first, seed: 42) { recount.add(event) }
            first += count
        }
        return recount
    }

    /// Produces generated events `0 ..< count` keyed by their sequence, not their subject, so
    /// one account's events spread over every partition (and shard).
    func produceUnkeyed(_ count: Int) async throws {
        let (brokers, topic, workload) = (kafka.bootstrapServers, topic, workload)
        try await BlockingCall.run {
            let producer = try KafkaProducer(bootstrapServers: brokers, logger: nil)
            var buffer: [UInt8] = []
            for event in workload.stream(count: count, seed: 42) {
                buffer.removeAll(keepingCapacity: true)
                event.render(into: &buffer)
                try producer.produce(topic: topic, key: Array("k\(event.sequence)".utf8), value: buffer)
            }
            try producer.flush(timeout: .seconds(60))
        }
    }

    /// Produces these payloads as they are, each keyed like the event it copies (so a copy lands
    /// in its original's partition).
    func produceCopies(_ copies: [([UInt8], String)]) async throws {
        let (brokers, topic) = (kafka.bootstrapServers, topic)
        try await BlockingCall.run {
            let producer = try KafkaProducer(bootstrapServers: brokers, logger: nil)
            for (payload, key) in copies { try producer.produce(topic: topic, key: Array(key.utf8), value: payload) }
            try producer.flush(timeout: .seconds(30))
        }
    }

    func produceRaw(_ payloads: [String]) async throws {
        try await produceCopies(payloads.enumerated().map { index, payload in (Array(payload.utf8), "bad-\(index)") })
    }

    /// Waits until the committed offsets cover everything produced so far.
    /// Runs `pipeline` until its committed offsets cover the topic, then stops it gracefully
    /// (the stop flushes what is left).
    func meterUntilCaughtUp(_ pipeline: IngestPipeline) async throws {
        try await meterUntilCaughtUp(pipeline: pipeline, crash: false)
    }

    /// The same, ending with a simulated `kill -9` instead of a graceful stop when `crash`.
    func meterUntilCaughtUp(pipeline: IngestPipeline, crash: Bool) async throws {
        let running = Task { try await pipeline.run() }
        try await waitUntilCaughtUp()
        if crash { await pipeline.crash() } else { running.cancel() }
        try await running.value
    }

    func waitUntilCaughtUp(timeout: Duration = .seconds(120)) async throws {
        let ends = try CatchUp.endOffsets(brokers: kafka.bootstrapServers, topic: topic)
        try await CatchUp.wait(for: ends, group: group, topic: topic, postgres: postgres, timeout: timeout, logger: logger)
    }

    /// Committed offsets summed over partitions.
    func committedEvents() async throws -> Int64 {
        try await UsageQueries(client: postgres, logger: logger).offsets(group: group, topic: topic)
            .values.reduce(0) { $0 + $1.nextOffset }
    }

    /// What `usage --json` prints, parsed: key → (quantity, events).
    func usage() async throws -> [String: Recount.Figure] {
        try await UsageFigures.read(postgres: postgres, meters: meters, logger: logger)
    }
}

/// A pipeline the environment made, held without keeping it alive.
private struct WeakPipeline: Sendable {
    weak var pipeline: IngestPipeline?
}
