import Foundation
import KafkaClient
import Logging
import OdometerService
import OdometerTestSupport
import PostgresNIO
import PostgresStore

/// Real parts for the operations tests of the binary: a Kafka mock cluster, a throwaway Postgres
/// this process owns (so a test can stop and restart it), a configuration file with the admin
/// server on a free loopback port, and the `odometer` binary to run against them.
final class ServeFixture: Sendable {
    static let token = "ops-token-2c81f0"
    static let accounts = ["acct-a", "acct-b", "acct-c", "acct-d"]

    let kafka: KafkaMockCluster
    let database: LocalPostgresCluster
    let port: Int
    let group: String
    let logger: Logger
    let known = KnownEvents(accounts: ServeFixture.accounts)
    private let directory: URL

    var base: String { "http://127.0.0.1:\(port)" }

    static func with<Result: Sendable>(_ body: @Sendable (ServeFixture) async throws -> Result) async throws -> Result {
        var logger = Logger(label: "odometer.ops-test")
        logger.logLevel = .warning
        let kafka = try KafkaMockCluster(brokers: 1, logger: nil)
        defer { kafka.close() }
        try kafka.createTopic("usage", partitions: 4)
        try kafka.createTopic("usage.dlq", partitions: 1)
        let database = try await LocalPostgresCluster.start(logger: logger)
        let fixture = try ServeFixture(kafka: kafka, database: database, logger: logger)
        do {
            let result = try await body(fixture)
            await database.stop()
            try? FileManager.default.removeItem(at: fixture.directory)
            return result
        } catch {
            await database.stop()
            throw error
        }
    }

    private init(kafka: KafkaMockCluster, database: LocalPostgresCluster, logger: Logger) throws {
        self.kafka = kafka
        self.database = database
        self.logger = logger
        port = try FreeLoopbackPort.next()
        group = "ops-\(UUID().uuidString.prefix(8))"
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("odometer-ops-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// Writes a configuration; `pageViews` adds the meter that page_view events lack otherwise.
    /// `odoo` adds an Odoo destination (URL and API key of a fake).
    /// `dedup: false` turns the dedup window off.
    func config(named name: String, pageViews: Bool = false, listen: String? = nil, token: String? = ServeFixture.token,
                odoo: (url: String, apiKey: String)? = nil, dedup: Bool = true) throws -> String {
        let file = directory.appendingPathComponent("\(name).yaml")
        let billing = odoo.map {
            "billing:\n  destinations:\n    - { kind: odoo, url: \"\($0.url)\", database: odometer, login: billing-bot, "
                + "apiKey: \"\($0.apiKey)\" }"
        } ?? ""
        let http = "listen: \"\(listen ?? "127.0.0.1:\(port)")\"" + (token.map { ", token: \"\($0)\"" } ?? "")
        let yaml = """
            kafka: { brokers: "\(kafka.bootstrapServers)", group: \(group), sessionTimeoutMs: 6000 }
            postgres: { url: "\(database.url)" }
            pipeline: { flushIntervalMs: 100\(dedup ? "" : ", dedupWindow: \"off\"") }
            http: { \(http) }
            meters:
              - { slug: api_calls, eventType: api_request, aggregation: COUNT }
              - { slug: api_tokens, eventType: api_request, aggregation: SUM, valueProperty: "$.tokens" }
            \(pageViews ? "  - { slug: page_views, eventType: page_view, aggregation: COUNT }" : "")
            plans:
              - key: pro
                currency: USD
                charges: [ { meter: api_calls, model: unit, unitPrice: "0.01" } ]
            accounts:
            \(Self.accounts.map { "  - { id: \($0), plan: pro, odooPartnerRef: \($0) }" }.joined(separator: "\n"))
            \(billing)
            """
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }

    var cli: CommandRunner { CommandRunner(environment: ["ODOMETER_LOG_LEVEL": "warning"]) }

    func produce(_ payloads: [String]) throws {
        let producer = try KafkaProducer(bootstrapServers: kafka.bootstrapServers, logger: nil)
        for (index, payload) in payloads.enumerated() {
            try producer.produce(topic: "usage", key: Array("key-\(index % 97)".utf8), value: Array(payload.utf8))
        }
        try producer.flush(timeout: .seconds(30))
    }

    /// Starts `odometer serve` and waits until `/readyz` answers 200.
    func startServe(config: String) async throws -> RunningCommand {
        let serve = try cli.start(["serve", "--config", config])
        let ready = await HTTPProbe.poll(base + "/readyz", timeout: .seconds(90)) { $0.status == 200 }
        guard ready?.status == 200 else {
            let output = await serve.terminate()
            throw FixtureFailure(description: "serve never became ready: \(ready?.body ?? "no answer"); stderr: "
                                 + output.error.suffix(3000))
        }
        return serve
    }

    /// Waits until the group's offsets in Postgres cover the topic.
    func waitUntilMetered() async throws {
        let postgres = PostgresClient(configuration: database.postgresURL.clientConfiguration, backgroundLogger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await postgres.run() }
            defer { group.cancelAll() }
            let ends = try CatchUp.endOffsets(brokers: kafka.bootstrapServers, topic: "usage")
            try await CatchUp.wait(for: ends, group: self.group, topic: "usage", postgres: postgres,
                                   timeout: .seconds(120), logger: logger)
        }
    }

    func watermarks(_ topic: String) throws -> [Int32: KafkaWatermarks] {
        try KafkaTopicInspector(bootstrapServers: kafka.bootstrapServers, logger: nil).watermarks(topic: topic)
    }
}

struct FixtureFailure: Error, CustomStringConvertible {
    var description: String
}
