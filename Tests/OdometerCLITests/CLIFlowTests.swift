import BillingFakes
import Foundation
import KafkaClient
import Logging
import OdometerService
import PostgresNIO
import PostgresStore
import Testing

/// The binary end to end, as a user drives it: migrate, produce, serve as a child process,
/// usage, close (refused, then forced), delivery by the running relay, graceful SIGTERM.
@Suite(.serialized) struct CLIFlowTests {
    /// The workload's five meters, as `produce` generates their events.
    static let meters = """
          - { slug: api_calls, eventType: api_request, aggregation: COUNT }
          - { slug: api_tokens, eventType: api_request, aggregation: SUM, valueProperty: "$.tokens", groupBy: { model: "$.model" } }
          - { slug: compute_seconds, eventType: compute_job, aggregation: SUM, valueProperty: "$.seconds", groupBy: { region: "$.region" } }
          - { slug: storage_gb, eventType: storage_snapshot, aggregation: MAX, valueProperty: "$.gb" }
          - { slug: active_users, eventType: user_login, aggregation: UNIQUE_COUNT, valueProperty: "$.user" }
        """

    static let config = """
        kafka: { brokers: "${TEST_BROKERS}", group: cli-test, sessionTimeoutMs: 6000 }
        postgres: { url: "${TEST_DATABASE_URL}" }
        pipeline: { flushIntervalMs: 100 }
        http: { listen: "127.0.0.1:0" }
        meters:
        \(meters)
        plans:
          - key: pro
            currency: USD
            charges:
              - { meter: api_calls, model: unit, unitPrice: "0.001" }
              - { meter: api_tokens, model: graduated, tiers: [ { upTo: 100000, unitPrice: "0" }, { unitPrice: "0.000002" } ] }
        accounts:
        \((0..<50).map { "  - { id: acct-\(String(format: "%05d", $0)), plan: pro, odooPartnerRef: acct-\(String(format: "%05d", $0)) }" }.joined(separator: "\n"))
        billing:
          gracePeriod: 1h
          destinations:
            - { kind: odoo, url: "${TEST_ODOO_URL}", database: odometer, login: billing-bot, apiKey: "${TEST_ODOO_KEY}" }
        """

    @Test func theWholeFlowThroughTheCommandLine() async throws {
        let kafka = try KafkaMockCluster(brokers: 1, logger: nil)
        defer { kafka.close() }
        try kafka.createTopic("usage", partitions: 4)
        try kafka.createTopic("usage.dlq", partitions: 1)
        var logger = Logger(label: "cli-test")
        logger.logLevel = .warning
        let database = try await LocalPostgresCluster.fromEnvironmentOrStart(logger: logger)
        let odoo = OdooFake()
        odoo.seedDemo(partnerRefs: (0..<50).map { "acct-" + String(format: "%05d", $0) },
                      meters: ["api_calls", "api_tokens", "compute_seconds", "storage_gb", "active_users"])
        let odooURL = try await odoo.start()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("odometer-\(UUID().uuidString).yaml")
        try Self.config.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let cli = CommandRunner(environment: [
            "TEST_BROKERS": kafka.bootstrapServers, "TEST_DATABASE_URL": database.url,
            "TEST_ODOO_URL": odooURL, "TEST_ODOO_KEY": odoo.validApiKey, "ODOMETER_CONFIG": file.path,
        ])

        do {
            // Before migrate, commands say what to do.
            let early = try await cli.run(["usage", "--json"])
            #expect(early.status == 1)
            #expect(early.error.contains("odometer migrate"))

            let migrate = try await cli.run(["migrate"])
            #expect(migrate.status == 0, "\(migrate.error)")
            #expect(try await cli.run(["migrate"]).output.contains("already at version"))

            // Accounts import is all or nothing, each bad row named by its line.
            let csv = FileManager.default.temporaryDirectory.appendingPathComponent("accounts-\(UUID().uuidString).csv")
            defer { try? FileManager.default.removeItem(at: csv) }
            try "id,plan,timezone\nacct-90000,pro,Asia/Kolkata\nacct-90001,gold,UTC\n".write(to: csv, atomically: true, encoding: .utf8)
            let rejected = try await cli.run(["accounts", "import", csv.path])
            #expect(rejected.status == 1)
            #expect(rejected.error.contains("line 3") && rejected.error.contains("gold"))
            try "id,plan,timezone\nacct-90000,pro,Asia/Kolkata\n".write(to: csv, atomically: true, encoding: .utf8)
            #expect(try await cli.run(["accounts", "import", csv.path]).output.contains("imported 1 accounts (1 new, 0 updated)"))
            #expect(try await cli.run(["accounts", "import", csv.path]).output.contains("(0 new, 1 updated)"))

            let produce = try await cli.run(["produce", "--events", "5000", "--accounts", "50", "--period", "2026-10", "--seed", "7"])
            #expect(produce.status == 0, "\(produce.error)")

            // Close readiness is measured on arrival: nothing is metered yet, so every partition holding
            // events appended before November plus the grace period (all of them: they arrived now,
            // long after) is behind, and the refusal names them.
            let refused = try await cli.run(["close", "--period", "2026-10"])
            #expect(refused.status == 1)
            #expect(refused.error.contains("cannot close yet") && refused.error.contains("--force"), "\(refused.error)")
            #expect(refused.error.contains("partition 0") && refused.error.contains("messages not yet metered"))

            let serve = try cli.start(["serve"])
            let postgres = PostgresClient(configuration: database.postgresURL.clientConfiguration, backgroundLogger: logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await postgres.run() }
                defer { group.cancelAll() }
                let ends = try CatchUp.endOffsets(brokers: kafka.bootstrapServers, topic: "usage")
                try await CatchUp.wait(for: ends, group: "cli-test", topic: "usage", postgres: postgres,
                                       timeout: .seconds(120), logger: logger)
            }

            let usage = try await cli.run(["usage", "--json", "--period", "2026-10"])
            #expect(usage.status == 0, "\(usage.error)")
            let rows = usage.output.split(separator: "\n").map {
                try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
            }
            let events = rows.filter { $0["meter"] as? String == "api_calls" }.reduce(0) { $0 + ($1["events"] as! Int) }
            #expect(events > 0)
            #expect(rows.allSatisfy { $0["period"] as? String == "2026-10" })

            // Everything appended is metered now: October may close without --force.
            let closed = try await cli.run(["close", "--period", "2026-10", "--json"])
            #expect(closed.status == 0, "\(closed.error)")
            let summary = try JSONSerialization.jsonObject(with: Data(closed.output.utf8)) as! [String: Any]
            let invoices = (summary["invoices"] as! [Any]).count
            #expect(invoices == 50)

            // The running relay delivers every invoice exactly once.
            let deadline = ContinuousClock.now + .seconds(60)
            while odoo.invoices().count < invoices, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
            #expect(odoo.invoices().count == invoices)
            #expect(odoo.duplicateRefs().isEmpty)

            let again = try await cli.run(["close", "--period", "2026-10", "--force"])
            #expect(again.output.contains("nothing new written"))
            // The relay records each outcome after Odoo answers; wait for the last one.
            var delivered = 0
            while delivered < invoices, ContinuousClock.now < deadline + .seconds(30) {
                delivered = try await cli.run(["deliveries", "--status", "delivered", "--json"]).output
                    .split(separator: "\n").count
                if delivered < invoices { try await Task.sleep(for: .milliseconds(200)) }
            }
            #expect(delivered == invoices)

            let stopped = await serve.terminate()
            #expect(stopped.status == 0, "serve: \(stopped.error.suffix(3000))")
        } catch {
            await odoo.stop()
            await database.stop()
            throw error
        }
        await odoo.stop()
        await database.stop()
    }

    @Test func badInputGetsOneLineAndTheRightExitCode() async throws {
        let cli = CommandRunner()
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("odometer-\(UUID().uuidString).yaml")
        try "kafka: { brokers: \"k:9092\" }\nmeters: [ { slug: m, eventType: e, aggregation: COUNT } ]\n"
            .write(to: missing, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: missing) }

        let noKey = try await cli.run(["usage", "--config", missing.path])
        #expect(noKey.status == 1)
        #expect(noKey.error == "odometer: config line 1: `postgres` is required\n")

        let unreachable = FileManager.default.temporaryDirectory.appendingPathComponent("odometer-\(UUID().uuidString).yaml")
        try "kafka: { brokers: \"k:9092\" }\npostgres: { url: \"postgres://odometer@127.0.0.1:1/odometer\" }\nmeters: [ { slug: m, eventType: e, aggregation: COUNT } ]\n"
            .write(to: unreachable, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: unreachable) }
        let down = try await cli.run(["usage", "--config", unreachable.path])
        #expect(down.status == 2)
        #expect(down.error.hasPrefix("odometer: cannot reach Postgres"))
        #expect(down.error.split(separator: "\n").count == 1)

        let badPeriod = try await cli.run(["close", "--period", "2026-13", "--config", unreachable.path])
        #expect(badPeriod.status == 1)
        #expect(badPeriod.error == "odometer: --period must be YYYY-MM, e.g. 2026-11\n")
    }

    @Test func benchRunsOneOfTheModesThatReplaceTheSuite() async throws {
        let both = try await CommandRunner().run(["bench", "--soak", "--repeat-end-to-end", "3"])
        #expect(both.status == 1)
        #expect(both.error == "odometer: --soak and --repeat-end-to-end each run instead of the suite: give one of them\n")
    }
}
