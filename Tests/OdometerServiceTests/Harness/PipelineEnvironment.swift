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
            await database.stop()
            return result
        } catch {
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
        return try IngestPipeline(settings: settings, catalog: catalog ?? MeterCatalog(meters: meters),
                           directory: try AccountDirectory(accounts: accounts), postgres: postgres, logger: logger)
    }

    var pricer: UsagePricer { UsagePricer(meters: meters, plans: DemoCatalog.plans, accounts: accounts) }

    var workload: UsageWorkload { UsageWorkload(accounts: accounts.count, period: period) }

    /// Produces generated events `first ..< first + count` (the stream `recount(_:)` sees).
    func produce(_ count: Int, first: Int = 0, rate: Int? = nil) throws {
        let producer = try KafkaProducer(bootstrapServers: kafka.bootstrapServers, logger: nil)
        try WorkloadProducer(producer: producer, topic: topic).produce(
            workload, count: count, first: first, seed: 42, rate: rate)
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
    func produceUnkeyed(_ count: Int) throws {
        let producer = try KafkaProducer(bootstrapServers: kafka.bootstrapServers, logger: nil)
        var buffer: [UInt8] = []
        for event in workload.stream(count: count, seed: 42) {
            buffer.removeAll(keepingCapacity: true)
            event.render(into: &buffer)
            try producer.produce(topic: topic, key: Array("k\(event.sequence)".utf8), value: buffer)
        }
        try producer.flush(timeout: .seconds(60))
    }

    /// Produces these payloads as they are, each keyed like the event it copies (so a copy lands
    /// in its original's partition).
    func produceCopies(_ copies: [([UInt8], String)]) throws {
        let producer = try KafkaProducer(bootstrapServers: kafka.bootstrapServers, logger: nil)
        for (payload, key) in copies { try producer.produce(topic: topic, key: Array(key.utf8), value: payload) }
        try producer.flush(timeout: .seconds(30))
    }

    func produceRaw(_ payloads: [String]) throws {
        let producer = try KafkaProducer(bootstrapServers: kafka.bootstrapServers, logger: nil)
        for (index, payload) in payloads.enumerated() {
            try producer.produce(topic: topic, key: Array("bad-\(index)".utf8), value: Array(payload.utf8))
        }
        try producer.flush(timeout: .seconds(30))
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
