public import OdometerService
import Foundation
import KafkaClient
public import Logging
import MeteringCore
import MeteringWorkload
import PostgresNIO
import PostgresStore

/// `odometer demo`: the whole flow on embedded parts, with nothing to configure. It starts a
/// Kafka mock cluster and a throwaway Postgres, produces a realistic stream, meters it, closes
/// the period and delivers the invoice lines to in-process Stripe, Lago and Odoo fakes, then
/// cleans up.
public struct DemoRun: Sendable {
    public struct Options: Sendable {
        public var events = 1_000_000
        public var accounts = 10_000
        public var partitions: Int32 = 64
        public var shards = 2
        public init() {}
    }

    public let options: Options
    let logger: Logger
    let progress: ProgressReporter

    public init(options: Options, logger: Logger, progress: ProgressReporter = ProgressReporter()) {
        self.options = options
        self.logger = logger
        self.progress = progress
    }

    public func run() async throws -> DemoSummary {
        let period = BillingPeriod(index: PeriodCalendar.utc.period(containing: EventTime(
            seconds: Int64(Date().timeIntervalSince1970))).index - 1)
        progress.note("demo: starting a Kafka mock cluster and a throwaway Postgres")
        let kafka = try KafkaMockCluster(brokers: 3, logger: nil)
        defer { kafka.close() }
        let database = try await LocalPostgresCluster.start(durable: false, logger: logger)
        let destinations = DemoDestinations()
        do {
            let summary = try await run(kafka: kafka, databaseURL: database.postgresURL, destinations: destinations,
                                        period: period)
            await destinations.stop()
            await database.stop()
            return summary
        } catch {
            await destinations.stop()
            await database.stop()
            throw error
        }
    }

    private func run(kafka: KafkaMockCluster, databaseURL: PostgresURL, destinations: DemoDestinations,
                     period: BillingPeriod) async throws -> DemoSummary {
        let topic = "usage"
        try kafka.createTopic(topic, partitions: options.partitions)
        try kafka.createTopic("\(topic).dlq", partitions: 1)
        let accounts = DemoCatalog.accounts(options.accounts)
        var quiet = logger
        quiet.logLevel = .error
        let postgres = PostgresClient(configuration: databaseURL.clientConfiguration, backgroundLogger: quiet)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await postgres.run() }
            defer { group.cancelAll() }
            try await SchemaMigrator.migrate(client: postgres, logger: logger)

            // 1. Produce the stream.
            let producer = try KafkaProducer(bootstrapServers: kafka.bootstrapServers, logger: nil)
            let workload = UsageWorkload(accounts: options.accounts, period: period)
            let produceStart = ContinuousClock.now
            try WorkloadProducer(producer: producer, topic: topic).produce(
                workload, count: options.events, progress: { progress.update("produce", done: $0, total: options.events) })
            let produceTime = produceStart.duration(to: .now)
            let ends = try CatchUp.endOffsets(brokers: kafka.bootstrapServers, topic: topic)

            // 2. Meter it, exactly once, until the committed offsets cover the topic.
            let settings = IngestSettings(brokers: kafka.bootstrapServers, topic: topic, group: "odometer-demo",
                                          shards: options.shards, sessionTimeout: .seconds(6))
            let pipeline = try IngestPipeline(
                settings: settings, catalog: MeterCatalog(meters: DemoCatalog.meters),
                directory: try AccountDirectory(accounts: accounts), postgres: postgres, logger: logger)
            let ingestStart = ContinuousClock.now
            let ingest = Task { try await pipeline.run() }
            try await CatchUp.wait(for: ends, group: settings.group, topic: topic, postgres: postgres,
                                   timeout: .seconds(600), logger: logger) { committed, total in
                progress.update("meter", done: Int(committed), total: Int(total))
            }
            let ingestTime = (await pipeline.firstAssignment ?? ingestStart).duration(to: .now)
            ingest.cancel()
            try await ingest.value
            let committed = await pipeline.committed

            // 3. Close the period and deliver to the Odoo fake.
            let pricer = UsagePricer(meters: DemoCatalog.meters, plans: DemoCatalog.plans, accounts: accounts)
            let closer = PeriodCloser(postgres: postgres, pricer: pricer,
                                      destinations: ["stripe": .line, "lago": .line, "odoo": .invoice], logger: logger)
            let (plan, _) = try await closer.close(period: period, account: nil, force: true)

            // 3. Deliver to the Stripe, Lago and Odoo fakes at once.
            let started = try await destinations.start(accounts: accounts, meters: DemoCatalog.meters.map(\.slug))
            let byID = Dictionary(accounts.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            progress.note("demo: delivering to Stripe, Lago and Odoo fakes")
            let deliverStart = ContinuousClock.now
            let reports = try await withThrowingTaskGroup(of: (String, RelayReport).self) { relays in
                for destination in started {
                    let relay = OutboxRelay(destination: destination, postgres: postgres, accounts: byID,
                                            workers: destination.granularity == .invoice ? 2 : 1, logger: logger)
                    relays.addTask { (destination.name, try await relay.deliverUntilSettled()) }
                }
                var reports: [String: RelayReport] = [:]
                for try await (name, report) in relays { reports[name] = report }
                return reports
            }
            let deliverTime = deliverStart.duration(to: .now)

            return DemoSummary(
                period: period, events: options.events, produceTime: produceTime, ingestTime: ingestTime,
                committed: committed, plan: plan, deliverTime: deliverTime,
                destinations: destinations.tallies(reports, currencies: Dictionary(accounts.compactMap { account in
                    account.lagoSubscription.flatMap { subscription in
                        pricer.plans[account.plan].map { (subscription, $0.currency.code) }
                    }
                }, uniquingKeysWith: { first, _ in first })))
        }
    }
}
