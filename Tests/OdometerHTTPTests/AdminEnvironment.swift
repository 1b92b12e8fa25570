import Foundation
import KafkaClient
import Logging
import MeteringCore
import OdometerConfig
import OdometerService
import OdometerTestSupport
import PostgresNIO
import PostgresStore

/// Real parts for the router tests: a Kafka mock cluster, a throwaway Postgres with the schema,
/// a configuration full of secrets (so the tests can look for them in every answer), and the
/// `ServeContext` that `serve` would hand to the admin server.
final class AdminEnvironment: Sendable {
    static let token = "admin-token-5d1e9c7a"
    static let secrets = [token, "odoo-key-secret-83f2", "pg-password-secret-4b7c", "kafka-sasl-secret-19ad"]
    static let accounts = ["acct-1", "acct-2", "acct-3"]

    let kafka: KafkaMockCluster
    let database: LocalPostgresCluster
    let postgres: PostgresClient
    let context: ServeContext
    let logger: Logger

    var runtime: OdometerRuntime { context.runtime }

    static func configuration(brokers: String, postgresPort: Int, group: String) throws -> OdometerConfiguration {
        let yaml = """
            kafka: { brokers: "\(brokers)", group: \(group), sessionTimeoutMs: 6000,
                     properties: { "sasl.password": "\(secrets[3])" } }
            postgres: { url: "postgres://odometer:\(secrets[2])@127.0.0.1:\(postgresPort)/odometer" }
            pipeline: { flushIntervalMs: 100 }
            http: { listen: "127.0.0.1:0", token: "\(token)" }
            meters:
              - { slug: api_calls, eventType: api_request, aggregation: COUNT }
              - { slug: api_tokens, eventType: api_request, aggregation: SUM, valueProperty: "$.tokens" }
            plans:
              - key: pro
                currency: USD
                charges: [ { meter: api_calls, model: unit, unitPrice: "0.01" } ]
            accounts:
            \(accounts.map { "  - { id: \($0), plan: pro, odooPartnerRef: \($0) }" }.joined(separator: "\n"))
            billing:
              gracePeriod: 1h
              destinations:
                - { kind: odoo, url: "http://127.0.0.1:9", database: odometer, login: bot, apiKey: "\(secrets[1])" }
            """
        return try ConfigurationLoader.parse(yaml: yaml, environment: [:])
    }

    static func with<Result: Sendable>(_ body: @Sendable (AdminEnvironment) async throws -> Result) async throws -> Result {
        var logger = Logger(label: "odometer.http-test")
        logger.logLevel = .warning
        let kafka = try KafkaMockCluster(brokers: 1, logger: nil)
        defer { kafka.close() }
        try kafka.createTopic("usage", partitions: 3)
        try kafka.createTopic("usage.dlq", partitions: 1)
        let database = try await LocalPostgresCluster.start(logger: logger)
        let configuration = try configuration(brokers: kafka.bootstrapServers, postgresPort: database.postgresURL.port,
                                              group: "http-test-\(UUID().uuidString.prefix(8))")
        let runtime = OdometerRuntime(configuration: configuration, logger: logger)
        let postgres = PostgresClient(configuration: try PostgresURL(parsing: configuration.postgres.url).clientConfiguration,
                                      backgroundLogger: logger)
        let settings = runtime.ingestSettings
        let status = ServeStatus(topic: settings.topic, group: settings.group, deadLetterTopic: settings.deadLetterTopic,
                                 monitor: PipelineMonitor())
        let environment = AdminEnvironment(kafka: kafka, database: database, postgres: postgres, logger: logger,
                                           context: ServeContext(runtime: runtime, postgres: postgres, status: status))
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

    private init(kafka: KafkaMockCluster, database: LocalPostgresCluster, postgres: PostgresClient, logger: Logger,
                 context: ServeContext) {
        self.kafka = kafka
        self.database = database
        self.postgres = postgres
        self.logger = logger
        self.context = context
    }

    /// Produces raw payloads keyed by their index.
    func produce(_ payloads: [String]) throws {
        let producer = try KafkaProducer(bootstrapServers: kafka.bootstrapServers, logger: nil)
        for (index, payload) in payloads.enumerated() {
            try producer.produce(topic: "usage", key: Array("k\(index)".utf8), value: Array(payload.utf8))
        }
        try producer.flush(timeout: .seconds(30))
    }

    /// Runs a pipeline that reports to this environment's monitor until the topic is metered.
    func meterUntilCaughtUp() async throws {
        let settings = runtime.ingestSettings
        let pipeline = try IngestPipeline(
            settings: settings, catalog: runtime.catalog,
            directory: try AccountDirectory(accounts: runtime.configuration.accounts), postgres: postgres,
            logger: logger, monitor: context.monitor)
        let running = Task { try await pipeline.run() }
        let ends = try CatchUp.endOffsets(brokers: kafka.bootstrapServers, topic: settings.topic)
        try await CatchUp.wait(for: ends, group: settings.group, topic: settings.topic, postgres: postgres,
                               timeout: .seconds(120), logger: logger)
        running.cancel()
        try await running.value
    }
}
