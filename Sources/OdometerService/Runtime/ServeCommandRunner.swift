import KafkaClient
import Logging
import MeteringCore
import PostgresNIO
import PostgresStore
import ServiceLifecycle

extension OdometerRuntime {
    /// `odometer serve`: the pipeline and the outbox relays, until SIGTERM or SIGINT. Shutdown
    /// runs in reverse: relays stop, the pipeline stops fetching and flushes its last batch,
    /// and the Postgres client closes last.
    public func serve() async throws {
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
        let ingest = IngestService(makePipeline: {
            try IngestPipeline(settings: settings, catalog: catalog, directory: directory, postgres: postgres, logger: logger)
        }, logger: logger)
        let byID = Dictionary(accounts.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let relays = deliveryDestinations().map {
            RelayService(relay: OutboxRelay(destination: $0, postgres: postgres, accounts: byID, logger: logger))
        }
        var services: [any Service] = [postgres, ingest]
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
