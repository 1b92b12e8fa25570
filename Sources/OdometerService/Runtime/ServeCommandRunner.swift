import KafkaClient
import Logging
import MeteringCore
import PostgresNIO
import PostgresStore
public import ServiceLifecycle

extension OdometerRuntime {
    /// `odometer serve`: the pipeline, the outbox relays, the operations sampler and whatever
    /// `additionalServices` adds (the CLI adds the admin HTTP server, which lives in its own
    /// target and depends on this one), until SIGTERM or SIGINT.
    ///
    /// Services start in the order Postgres client, additional services, sampler, pipeline,
    /// relays, and shut down in reverse: the relays stop, the pipeline stops fetching and
    /// flushes its last batch (readiness says "shutting down" meanwhile, and `/metrics` still
    /// answers), then the sampler and the HTTP server stop, and the Postgres client closes last.
    public func serve(additionalServices: @Sendable (ServeContext) throws -> [any Service] = { _ in [] }) async throws {
        let url: PostgresURL
        do {
            url = try PostgresURL(parsing: configuration.postgres.url)
        } catch {
            throw OdometerFailure.user("`postgres.url`: \(error)")
        }
        // Check reachability, the schema and the topics first, for a clear error and exit code.
        let accounts = try await withPostgres { postgres in try await self.accounts(postgres: postgres) }
        try checkTopics()
        let directory: AccountDirectory
        do {
            directory = try AccountDirectory(accounts: accounts)
        } catch {
            throw OdometerFailure.user("an imported account has an unknown time zone: \(error)")
        }
        let postgres = PostgresClient(configuration: url.clientConfiguration, backgroundLogger: logger)
        var configured = ingestSettings
        configured.failpoints = try Failpoints.fromEnvironment()
        let settings = configured
        let catalog = self.catalog
        let logger = self.logger
        let monitor = PipelineMonitor()
        let status = ServeStatus(topic: settings.topic, group: settings.group, deadLetterTopic: settings.deadLetterTopic,
                                 monitor: monitor)
        let book = AccountBook(directory)
        let refresher = AccountsRefresher(runtime: self, postgres: postgres, book: book,
                                          interval: .milliseconds(configuration.pipeline.accountsRefreshMs), logger: logger)
        let ingest = IngestService(makePipeline: {
            try IngestPipeline(settings: settings, catalog: catalog, accounts: book, postgres: postgres,
                               logger: logger, monitor: monitor)
        }, health: monitor.health, logger: logger)
        let byID = Dictionary(accounts.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let relays = deliveryDestinations().map {
            RelayService(relay: OutboxRelay(destination: $0, postgres: postgres, accounts: byID, logger: logger))
        }
        // The sampler probes Postgres with a client of its own: a probe must neither wait for nor
        // use up the pipeline's connections (after a Postgres restart it would meet the dead ones first).
        let probes = PostgresClient(configuration: url.clientConfiguration, backgroundLogger: logger)
        let sampler = OperationsSampler(runtime: self, postgres: probes, status: status)
        let extra = try additionalServices(ServeContext(runtime: self, postgres: postgres, status: status))
        var services: [any Service] = [postgres, probes]
        services += extra
        services += [sampler, refresher, ingest, FreeMemoryService()] as [any Service]
        services += relays
        let group = ServiceGroup(configuration: .init(
            services: services.map { .init(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        let deadline = ShutdownDeadline(timeout: configuration.pipeline.shutdownTimeout, logger: logger)
        logger.notice("serving", metadata: ["topic": "\(settings.topic)", "group": "\(settings.group)",
                                             "relays": "\(relays.count)"])
        defer { withExtendedLifetime(deadline) {} }
        try await group.run()
    }

    /// The topic and its dead-letter topic must exist: an unreachable Kafka is an environment
    /// error (exit 2), a missing topic the user's (exit 1).
    func checkTopics() throws {
        let kafka = configuration.kafka
        do {
            let inspector = try KafkaTopicInspector(bootstrapServers: kafka.brokers, properties: kafka.properties, logger: nil)
            for topic in [kafka.topic, kafka.deadLetterTopic] { _ = try inspector.partitionCount(topic: topic) }
        } catch let error as KafkaError {
            switch error {
            case .unknownTopic, .invalidProperty, .unsupportedSetting, .clientCreationFailed:
                throw OdometerFailure.user(error.description)
            default:
                throw OdometerFailure.environment(error.description)
            }
        }
    }
}
