import AsyncHTTPClient
import BillingWriters
import Foundation
public import Logging
public import MeteringCore
public import OdometerConfig
public import PostgresNIO
import PostgresStore

/// What every command needs, resolved from the configuration: the meter catalog, the pricing,
/// the ingest settings, a Postgres client, and the delivery destinations.
public struct OdometerRuntime: Sendable {
    public let configuration: OdometerConfiguration
    public let logger: Logger

    /// The file the configuration came from, when it came from one (`serve` re-reads its accounts).
    public let configPath: String?

    public init(configuration: OdometerConfiguration, logger: Logger, configPath: String? = nil) {
        self.configuration = configuration
        self.logger = logger
        self.configPath = configPath
    }

    /// Loads `--config` (or `ODOMETER_CONFIG`); a bad file is a user error naming key and line.
    public static func load(configPath: String?, logger: Logger) throws -> OdometerRuntime {
        do {
            let path = configPath ?? ProcessInfo.processInfo.environment["ODOMETER_CONFIG"]
            return OdometerRuntime(configuration: try ConfigurationLoader.load(path: configPath), logger: logger,
                                   configPath: path)
        } catch {
            throw OdometerFailure.user(error.description)
        }
    }

    public var catalog: MeterCatalog { MeterCatalog(meters: configuration.meters) }

    public var ingestSettings: IngestSettings {
        let kafka = configuration.kafka
        let pipeline = configuration.pipeline
        return IngestSettings(
            brokers: kafka.brokers, topic: kafka.topic, group: kafka.group, deadLetterTopic: kafka.deadLetterTopic,
            shards: pipeline.shards, flushInterval: .milliseconds(pipeline.flushIntervalMs),
            flushMaxKeys: pipeline.flushMaxKeys, sessionTimeout: .milliseconds(kafka.sessionTimeoutMs),
            kafkaProperties: kafka.properties,
            dedup: pipeline.dedupWindow.map { DedupSettings(window: $0, memoryLimitBytes: pipeline.dedupMemoryBytes) })
    }

    /// Where `close` measures readiness: the configured group's offsets against the topic.
    public var closeReadinessSource: PeriodCloser.WatermarkSource {
        let kafka = configuration.kafka
        return .init(brokers: kafka.brokers, kafkaProperties: kafka.properties, group: kafka.group, topic: kafka.topic,
                     gracePeriod: configuration.billing.gracePeriod)
    }

    /// Runs `body` with a connected Postgres client; an unreachable server is an environment
    /// error (exit code 2), a schema that is missing or old a user error.
    public func withPostgres<Result: Sendable>(
        requireSchema: Bool = true, _ body: @Sendable (PostgresClient) async throws -> Result
    ) async throws -> Result {
        let url: PostgresURL
        do {
            url = try PostgresURL(parsing: configuration.postgres.url)
        } catch {
            throw OdometerFailure.user("`postgres.url`: \(error)")
        }
        do {
            try await url.probe(logger: logger)
        } catch {
            throw OdometerFailure.environment("cannot reach Postgres at \(url): \(Self.shortDescription(of: error))")
        }
        // The server answered the probe; the pool's own start-up chatter is noise for a command.
        var quiet = logger
        quiet.logLevel = .error
        let client = PostgresClient(configuration: url.clientConfiguration, backgroundLogger: quiet)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            let versions: [Int]
            do {
                versions = try await SchemaMigrator.appliedVersions(client: client, logger: logger)
            } catch {
                throw OdometerFailure.environment("cannot reach Postgres at \(url): \(error)")
            }
            if requireSchema, versions.max() != SchemaMigrator.latestVersion {
                throw OdometerFailure.user("the database schema is at version \(versions.max() ?? 0), this Odometer "
                                           + "needs \(SchemaMigrator.latestVersion): run `odometer migrate` first")
            }
            return try await body(client)
        }
    }

    /// The configured accounts plus those imported into Postgres (the file wins on a clash).
    public func accounts(postgres: PostgresClient) async throws -> [Account] {
        try await Self.accounts(configured: configuration.accounts, postgres: postgres, logger: logger)
    }

    /// `configured` accounts plus those imported into Postgres (the file wins on a clash), by id.
    static func accounts(configured: [Account], postgres: PostgresClient, logger: Logger) async throws -> [Account] {
        var byID = Dictionary(configured.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for record in try await AccountStore(client: postgres, logger: logger).all() where byID[record.id] == nil {
            byID[record.id] = Account(id: record.id, plan: record.plan, timeZone: record.timeZone,
                                      odooPartnerRef: record.odooPartnerRef, stripeCustomer: record.stripeCustomer,
                                      lagoSubscription: record.lagoSubscription)
        }
        return byID.values.sorted { $0.id < $1.id }
    }

    public func pricer(accounts: [Account]) -> UsagePricer {
        UsagePricer(meters: configuration.meters, plans: configuration.plans, accounts: accounts)
    }

    /// The destinations close writes outbox rows for, by name.
    public var destinationGranularities: [String: DeliveryDestination.Granularity] {
        var result: [String: DeliveryDestination.Granularity] = [:]
        for destination in configuration.billing.destinations {
            result[destination.kind] = destination.kind == "odoo" ? .invoice : .line
        }
        return result
    }

    /// The writer and gate of every configured destination.
    public func deliveryDestinations() -> [DeliveryDestination] {
        configuration.billing.destinations.map { destination in
            let gate = DeliveryGate(ratePerSecond: destination.rateLimitPerSecond)
            switch destination {
            case .odoo(let url, let database, let login, let apiKey, let odooProtocol, let post, let createPartners, _):
                let writer = OdooWriter(destination: OdooDestination(
                    url: url, database: database, login: login, apiKey: apiKey,
                    protocol: OdooProtocol(rawValue: odooProtocol.rawValue) ?? .auto, post: post,
                    createPartners: createPartners), pacer: gate, logger: logger)
                return DeliveryDestination(name: "odoo", granularity: .invoice, writer: writer, pacer: gate)
            case .stripe(let url, let apiKey, let mode, _):
                let writer = StripeWriter(destination: StripeDestination(
                    url: url, apiKey: apiKey, mode: mode == .meterEvents ? .meterEvents : .invoiceItems),
                    pacer: gate, logger: logger)
                return DeliveryDestination(name: "stripe", granularity: .line, writer: writer, pacer: gate)
            case .lago(let url, let apiKey, _):
                let writer = LagoWriter(destination: LagoDestination(url: url, apiKey: apiKey), pacer: gate, logger: logger)
                return DeliveryDestination(name: "lago", granularity: .line, writer: writer, pacer: gate)
            }
        }
    }

    /// Destinations that hold at most so many lines per invoice: Stripe's invoice items.
    public var destinationLineLimits: [String: Int] {
        var limits: [String: Int] = [:]
        for case .stripe(_, _, .invoiceItems, _) in configuration.billing.destinations {
            limits["stripe"] = StripeDestination.maximumItemsPerInvoice
        }
        return limits
    }

    /// The first line of an error's description (postgres-nio's can span several).
    static func shortDescription(of error: any Error) -> String {
        String(String(reflecting: error).split(separator: "\n").first ?? "")
    }
}
