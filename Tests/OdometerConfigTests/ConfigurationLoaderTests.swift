import Foundation
import MeteringCore
import OdometerConfig
import Testing

@Suite struct ConfigurationLoaderTests {
    static let secrets = ["ODOMETER_ADMIN_TOKEN": "admin-secret", "STRIPE_KEY": "sk_live_secret",
                          "LAGO_KEY": "lago-secret", "ODOO_KEY": "odoo-secret"]

    static var exampleFile: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("deploy/odometer.example.yaml").path
    }

    @Test func theShippedExampleLoadsWithExactDecimalsAndDefaults() throws {
        let config = try ConfigurationLoader.load(path: Self.exampleFile, environment: Self.secrets)
        #expect(config.kafka.brokers == "127.0.0.1:9092")
        #expect(config.kafka.deadLetterTopic == "usage.dlq")
        #expect(config.kafka.sessionTimeoutMs == 45_000)
        #expect(config.pipeline == PipelineSettings())
        #expect(config.http.token == "admin-secret")
        #expect(config.meters.map(\.slug) == ["api_tokens", "api_calls", "seats"])
        #expect(config.meters[0].groupBy.map(\.name) == ["model"])
        #expect(config.meters[1].valueProperty == nil)
        let pro = try #require(config.plans.first)
        #expect(pro.currency.code == "USD" && pro.currency.minorUnits == 2)
        #expect(pro.charge(for: "api_calls")?.model == .unit(unitPrice: ExactDecimal("0.001")!))
        #expect(pro.charge(for: "api_tokens")?.model == .graduated(tiers: [
            PriceTier(upTo: ExactDecimal(1_000_000), unitPrice: .zero),
            PriceTier(upTo: nil, unitPrice: ExactDecimal("0.000002")!)]))
        #expect(config.accounts == [Account(id: "acct-42", plan: "pro", timeZone: "UTC", odooPartnerRef: "ACME",
                                            stripeCustomer: "cus_123", lagoSubscription: "sub_42")])
        #expect(config.billing.gracePeriod == .seconds(3600))
        #expect(config.billing.destinations.map(\.kind) == ["stripe", "lago", "odoo"])
        #expect(config.billing.destinations[2] == .odoo(url: "https://erp.example.com", database: "prod",
                                                       login: "billing-bot", apiKey: "odoo-secret", protocol: .auto,
                                                       post: false, createPartners: false, rateLimitPerSecond: 20))
        #expect(config.billing.destinations.map(\.rateLimitPerSecond) == [80, 500, 20])
        #expect(!config.description.contains("secret"))
    }

    @Test func yamlNumbersAreReadExactlyFromTheirText() throws {
        let config = try parse("""
            kafka: { brokers: "k:9092" }
            postgres: { url: "postgres://u@h/db" }
            meters: [ { slug: m, eventType: e, aggregation: SUM, valueProperty: "$.v" } ]
            plans:
              - key: p
                currency: JPY
                charges: [ { meter: m, model: unit, unitPrice: 0.100000000001, includedQuantity: 1e3 } ]
            """)
        let charge = try #require(config.plans.first?.charges.first)
        #expect(charge.model == .unit(unitPrice: ExactDecimal("0.100000000001")!))
        #expect(charge.includedQuantity == ExactDecimal(1000))
    }

    @Test(arguments: [
        ("kafka: { brokers: \"k\" }\npostgres: { url: \"postgres://h/d\" }\nmeters: [ { slug: m, eventType: e, aggregation: COUNT } ]\nextra: 1\n",
         "config line 4: `extra` is not a known key here"),
        ("kafka: { brokers: \"k\", partitions: 3 }\npostgres: { url: \"postgres://h/d\" }\nmeters: [ { slug: m, eventType: e, aggregation: COUNT } ]\n",
         "config line 1: `kafka.partitions` is not a known key here"),
        ("kafka: { brokers: \"k\" }\npostgres: { url: \"postgres://h/d\" }\npipeline:\n  flushIntervalMs: 0\nmeters: [ { slug: m, eventType: e, aggregation: COUNT } ]\n",
         "config line 4: `pipeline.flushIntervalMs` must be > 0"),
        ("kafka: { brokers: \"k\" }\npostgres: { url: \"postgres://h/d\" }\npipeline: { shards: 0 }\nmeters: [ { slug: m, eventType: e, aggregation: COUNT } ]\n",
         "config line 3: `pipeline.shards` must be between 1 and 64"),
        ("kafka: { brokers: \"k\" }\npostgres: { url: \"postgres://h/d\" }\npipeline: { shards: two }\nmeters: [ { slug: m, eventType: e, aggregation: COUNT } ]\n",
         "config line 3: `pipeline.shards` must be a whole number"),
        ("kafka: { brokers: \"k\" }\npostgres: { url: \"postgres://h/d\" }\npipeline: { dedupWindow: 3 weeks }\nmeters: [ { slug: m, eventType: e, aggregation: COUNT } ]\n",
         "config line 3: `pipeline.dedupWindow` must be a duration"),
        ("kafka: { brokers: \"k\" }\npostgres: { url: \"postgres://h/d\" }\npipeline: { dedupMemory: 10 }\nmeters: [ { slug: m, eventType: e, aggregation: COUNT } ]\n",
         "config line 3: `pipeline.dedupMemory` must be a size of at least 1MiB"),
        ("kafka: { brokers: \"k\" }\npostgres: { url: \"postgres://h/d\" }\npipeline: { shutdownTimeout: 0s }\nmeters: [ { slug: m, eventType: e, aggregation: COUNT } ]\n",
         "config line 3: `pipeline.shutdownTimeout` must be > 0"),
        ("postgres: { url: \"postgres://h/d\" }\nmeters: [ { slug: m, eventType: e, aggregation: COUNT } ]\n",
         "config line 1: `kafka` is required"),
        ("kafka: { brokers: \"k\" }\npostgres: { url: \"postgres://h/d\" }\nmeters:\n  - { slug: m, eventType: e, aggregation: SUM }\n",
         "config line 4: `meters[0].valueProperty` is required for SUM"),
        ("kafka: { brokers: \"k\" }\npostgres: { url: \"postgres://h/d\" }\nmeters: [ { slug: m, eventType: e, aggregation: COUNT } ]\nplans:\n  - key: p\n    currency: USD\n    charges:\n      - { meter: nope, model: unit, unitPrice: 1 }\n",
         "config line 8: `plans[0].charges[0].meter` names meter \"nope\""),
        ("kafka: { brokers: \"k\" }\npostgres: { url: \"postgres://h/d\" }\nmeters: [ { slug: m, eventType: e, aggregation: COUNT } ]\nplans: [ { key: p, currency: XYZ, charges: [] } ]\n",
         "config line 4: `plans[0].currency` is \"XYZ\", which is not an ISO 4217 currency"),
        ("kafka: { brokers: \"k\" }\npostgres: { url: \"postgres://h/d\" }\nmeters: [ { slug: m, eventType: e, aggregation: COUNT } ]\nplans:\n  - key: p\n    currency: USD\n    charges:\n      - meter: m\n        model: graduated\n        tiers:\n          - { upTo: 10, unitPrice: 1 }\n          - { upTo: 5, unitPrice: 1 }\n          - { unitPrice: 1 }\n",
         "config line 12: `plans[0].charges[0].tiers[1].upTo` must be greater than the tier before"),
        ("kafka: { brokers: \"k\" }\npostgres: { url: \"postgres://h/d\" }\nmeters: [ { slug: m, eventType: e, aggregation: COUNT } ]\nplans: [ { key: p, currency: USD, charges: [] } ]\naccounts:\n  - { id: a, plan: gold }\n",
         "config line 6: `accounts[0].plan` names plan \"gold\""),
        ("kafka: { brokers: \"k\" }\npostgres: { url: \"postgres://h/d\" }\nmeters: [ { slug: m, eventType: e, aggregation: COUNT } ]\nplans: [ { key: p, currency: USD, charges: [] } ]\naccounts:\n  - { id: a, plan: p, timezone: Mars/Olympus }\n",
         "config line 6: `accounts[0].timezone` is \"Mars/Olympus\", which is not an IANA time zone"),
        ("kafka: { brokers: \"k\" }\nkafka: { brokers: \"j\" }\npostgres: { url: \"postgres://h/d\" }\nmeters: [ { slug: m, eventType: e, aggregation: COUNT } ]\n",
         "`kafka` is given twice"),
        ("kafka: { brokers: \"${NOT_SET}\" }\npostgres: { url: \"postgres://h/d\" }\nmeters: [ { slug: m, eventType: e, aggregation: COUNT } ]\n",
         "config line 1: `kafka.brokers` uses the environment variable NOT_SET, which is not set"),
    ])
    func everyProblemNamesTheKeyAndTheLine(yaml: String, expected: String) {
        do {
            _ = try ConfigurationLoader.parse(yaml: yaml, environment: [:])
            Issue.record("accepted; expected: \(expected)")
        } catch {
            #expect(error.description.contains(expected), "\(error.description)")
        }
    }

    @Test func dedupCanBeTunedOrTurnedOff() throws {
        let defaults = try parse("kafka: { brokers: \"k\" }\npostgres: { url: \"postgres://h/d\" }\nmeters: [ { slug: m, eventType: e, aggregation: COUNT } ]\n")
        #expect(defaults.pipeline.dedupWindow == .seconds(3600))
        #expect(defaults.pipeline.dedupMemoryBytes == 256 << 20)
        #expect(defaults.pipeline.shutdownTimeout == .seconds(30))
        let tuned = try parse("kafka: { brokers: \"k\" }\npostgres: { url: \"postgres://h/d\" }\npipeline: { dedupWindow: 15m, dedupMemory: 2GiB, shutdownTimeout: 90s }\nmeters: [ { slug: m, eventType: e, aggregation: COUNT } ]\n")
        #expect(tuned.pipeline.dedupWindow == .seconds(900))
        #expect(tuned.pipeline.dedupMemoryBytes == 2 << 30)
        #expect(tuned.pipeline.shutdownTimeout == .seconds(90))
        let off = try parse("kafka: { brokers: \"k\" }\npostgres: { url: \"postgres://h/d\" }\npipeline: { dedupWindow: off }\nmeters: [ { slug: m, eventType: e, aggregation: COUNT } ]\n")
        #expect(off.pipeline.dedupWindow == nil)
    }

    @Test func secretsNeverAppearInErrors() {
        let yaml = """
            kafka: { brokers: "k" }
            postgres: { url: "${DB_URL}" }
            meters: [ { slug: m, eventType: e, aggregation: COUNT } ]
            """
        do {
            _ = try ConfigurationLoader.parse(yaml: yaml, environment: ["DB_URL": "mysql://root:hunter2@h/d"])
            Issue.record("accepted a non-postgres URL")
        } catch {
            #expect(error.key == "postgres.url")
            #expect(!error.description.contains("hunter2"))
        }
    }

    @Test func secretsMayComeFromFiles() throws {
        let config = try ConfigurationLoader.parse(yaml: """
            kafka: { brokers: "k" }
            postgres: { url: "postgres://odometer:${file:/run/secrets/pg}@h/d" }
            meters: [ { slug: m, eventType: e, aggregation: COUNT } ]
            """, environment: [:], readFile: { $0 == "/run/secrets/pg" ? "s3cret\n" : nil })
        #expect(config.postgres.url == "postgres://odometer:s3cret@h/d")
        #expect(!config.description.contains("s3cret"))
    }

    private func parse(_ yaml: String) throws -> OdometerConfiguration {
        try ConfigurationLoader.parse(yaml: yaml, environment: [:])
    }
}
