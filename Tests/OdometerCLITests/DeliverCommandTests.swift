import BillingFakes
import Foundation
import KafkaClient
import Logging
import OdometerService
import PostgresNIO
import PostgresStore
import Testing

/// `odometer deliver --once` and `deliveries retry --id` (DESIGN §4) against the three fakes:
/// the relays run until only delivered and failed entries remain, a failure shows Stripe's
/// message, and after the fix one retry by id delivers it.
@Suite(.serialized) struct DeliverCommandTests {
    static let config = """
        kafka: { brokers: "${TEST_BROKERS}", group: deliver-test, sessionTimeoutMs: 6000 }
        postgres: { url: "${TEST_DATABASE_URL}" }
        pipeline: { flushIntervalMs: 100 }
        meters:
        \(CLIFlowTests.meters)
        plans:
          - key: pro
            currency: USD
            charges:
              - { meter: api_calls, model: unit, unitPrice: "0.001" }
        accounts:
        \((0..<10).map { "  - { id: acct-\(String(format: "%05d", $0)), plan: pro, odooPartnerRef: acct-\(String(format: "%05d", $0)), stripeCustomer: cus_\($0), lagoSubscription: sub_\($0) }" }.joined(separator: "\n"))
        billing:
          destinations:
            - { kind: stripe, url: "${TEST_STRIPE_URL}", apiKey: "${TEST_STRIPE_KEY}", rateLimitPerSecond: 1000 }
            - { kind: lago, url: "${TEST_LAGO_URL}", apiKey: "${TEST_LAGO_KEY}" }
            - { kind: odoo, url: "${TEST_ODOO_URL}", database: odometer, login: billing-bot, apiKey: "${TEST_ODOO_KEY}", rateLimitPerSecond: 200 }
        """

    @Test func deliverOnceSettlesTheOutboxAndARetryByIDDeliversTheFixedLine() async throws {
        let kafka = try KafkaMockCluster(brokers: 1, logger: nil)
        defer { kafka.close() }
        try kafka.createTopic("usage", partitions: 2)
        try kafka.createTopic("usage.dlq", partitions: 1)
        var logger = Logger(label: "deliver-test")
        logger.logLevel = .warning
        let database = try await LocalPostgresCluster.fromEnvironmentOrStart(logger: logger)
        let stripe = StripeFake(), lago = LagoFake(), odoo = OdooFake()
        stripe.addCustomers((0..<10).filter { $0 != 3 }.map { "cus_\($0)" })   // cus_3 is missing at first
        odoo.seedDemo(partnerRefs: (0..<10).map { "acct-" + String(format: "%05d", $0) },
                      meters: ["api_calls", "api_tokens", "compute_seconds", "storage_gb", "active_users"])
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("odometer-\(UUID().uuidString).yaml")
        try Self.config.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        do {
            let cli = CommandRunner(environment: [
                "TEST_BROKERS": kafka.bootstrapServers, "TEST_DATABASE_URL": database.url,
                "TEST_STRIPE_URL": try await stripe.start(), "TEST_STRIPE_KEY": stripe.validApiKey,
                "TEST_LAGO_URL": try await lago.start(), "TEST_LAGO_KEY": lago.validApiKey,
                "TEST_ODOO_URL": try await odoo.start(), "TEST_ODOO_KEY": odoo.validApiKey, "ODOMETER_CONFIG": file.path,
            ])
            #expect(try await cli.run(["migrate"]).status == 0)
            #expect(try await cli.run(["produce", "--events", "400", "--accounts", "10", "--period", "2026-10", "--seed", "3"]).status == 0)
            // Meter with serve, then stop it before closing, so only `deliver` delivers.
            let serve = try cli.start(["serve"])
            let postgres = PostgresClient(configuration: database.postgresURL.clientConfiguration, backgroundLogger: logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await postgres.run() }
                defer { group.cancelAll() }
                let ends = try CatchUp.endOffsets(brokers: kafka.bootstrapServers, topic: "usage")
                try await CatchUp.wait(for: ends, group: "deliver-test", topic: "usage", postgres: postgres,
                                       timeout: .seconds(120), logger: logger)
            }
            #expect(await serve.terminate().status == 0)
            let closed = try await cli.run(["close", "--period", "2026-10", "--force", "--json"])
            #expect(closed.status == 0, "\(closed.error)")

            let unknown = try await cli.run(["deliver", "--once", "--destination", "paypal"])
            #expect(unknown.status == 1 && unknown.error.contains("no destination \"paypal\" is configured"))

            // Generous: other suites (the fault storm) may hold the CPU meanwhile.
            let delivered = try await cli.run(["deliver", "--once", "--json"], timeout: .seconds(600))
            #expect(delivered.status == 0, "\(delivered.error.suffix(2000))")
            let reports = delivered.output.split(separator: "\n").map {
                try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
            }
            #expect(reports.map { $0["destination"] as? String } == ["lago", "odoo", "stripe"])
            #expect(reports.first { $0["destination"] as? String == "stripe" }?["failed"] as? Int == 1)
            #expect(stripe.items().count == 9 && lago.events().count == 10 && odoo.invoices().count == 10)

            let failed = try await cli.run(["deliveries", "--status", "failed", "--json"]).output.split(separator: "\n").map {
                try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
            }
            #expect(failed.count == 1)
            let entry = try #require(failed.first)
            #expect((entry["error"] as? String)?.contains("No such customer: 'cus_3'") == true)

            // The fix: the customer exists now. Retry that one entry by its id, deliver again.
            stripe.addCustomers(["cus_3"])
            let id = try #require(entry["id"] as? Int)
            let retried = try await cli.run(["deliveries", "retry", "--id", String(id)])
            #expect(retried.status == 0 && retried.output.contains("delivery \(id) (stripe"))
            #expect(try await cli.run(["deliveries", "retry", "--id", String(id)]).status == 1, "no longer failed")
            #expect(try await cli.run(["deliver", "--once", "--destination", "stripe"]).output.contains("stripe: 1 delivered, 0 failed"))
            #expect(stripe.items().count == 10 && stripe.duplicateLineKeys().isEmpty)
            #expect(try await cli.run(["deliveries", "--status", "pending", "--json"]).output.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
            // The old form still works.
            #expect(try await cli.run(["deliveries", "retry", "--destination", "stripe"]).output.contains("0 failed deliveries"))
        } catch {
            await stripe.stop(); await lago.stop(); await odoo.stop(); await database.stop()
            throw error
        }
        await stripe.stop(); await lago.stop(); await odoo.stop(); await database.stop()
    }
}
