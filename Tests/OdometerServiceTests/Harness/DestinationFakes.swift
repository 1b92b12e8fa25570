import BillingFakes
import BillingWriters
import Logging
import MeteringCore
import OdometerService
import PostgresNIO

/// Stripe, Lago and Odoo fakes on loopback, seeded for the given accounts, and relays that
/// deliver to them with pacing tuned for tests (high rate, short pauses and backoffs, short
/// leases). Owned by one test, which must call `stop()`.
struct DestinationFakes: Sendable {
    let stripe: StripeFake
    let lago: LagoFake
    let odoo: OdooFake
    let stripeURL: String
    let lagoURL: String
    let odooURL: String

    static let destinationNames = ["lago", "odoo", "stripe"]

    /// Fakes that know these accounts' customers, subscriptions and partners.
    static func start(accounts: [Account], meters: [String]) async throws -> DestinationFakes {
        let stripe = StripeFake()
        let lago = LagoFake()
        let odoo = OdooFake()
        stripe.addCustomers(accounts.compactMap(\.stripeCustomer))
        odoo.seedDemo(partnerRefs: accounts.compactMap(\.odooPartnerRef), meters: meters)
        return DestinationFakes(stripe: stripe, lago: lago, odoo: odoo, stripeURL: try await stripe.start(),
                                lagoURL: try await lago.start(), odooURL: try await odoo.start())
    }

    private init(stripe: StripeFake, lago: LagoFake, odoo: OdooFake, stripeURL: String, lagoURL: String, odooURL: String) {
        self.stripe = stripe
        self.lago = lago
        self.odoo = odoo
        self.stripeURL = stripeURL
        self.lagoURL = lagoURL
        self.odooURL = odooURL
    }

    func stop() async {
        await stripe.stop()
        await lago.stop()
        await odoo.stop()
    }

    /// Every destination with a fresh gate (a relay "process" gets its own, as after a restart).
    func destinations(logger testLogger: Logger) -> [DeliveryDestination] {
        // Under a storm every failed round is expected: keep the writers to errors.
        var logger = testLogger
        logger.logLevel = .error
        func gate() -> DeliveryGate<ContinuousClock> {
            DeliveryGate(ratePerSecond: 20_000, breaker: CircuitBreaker(failureThreshold: 12, openDuration: .milliseconds(200)),
                         throttleBackoff: RetryBackoff(base: .milliseconds(5), cap: .milliseconds(100)))
        }
        let stripeGate = gate(), lagoGate = gate(), odooGate = gate()
        return [
            DeliveryDestination(name: "stripe", granularity: .line, writer: StripeWriter(
                destination: StripeDestination(url: stripeURL, apiKey: stripe.validApiKey, timeout: .seconds(10),
                                               concurrency: 16),
                pacer: stripeGate, logger: logger), pacer: stripeGate),
            DeliveryDestination(name: "lago", granularity: .line, writer: LagoWriter(
                destination: LagoDestination(url: lagoURL, apiKey: lago.validApiKey, timeout: .seconds(10)),
                pacer: lagoGate, logger: logger), pacer: lagoGate),
            DeliveryDestination(name: "odoo", granularity: .invoice, writer: OdooWriter(
                destination: OdooDestination(url: odooURL, database: odoo.database, login: odoo.login,
                                             apiKey: odoo.validApiKey, timeout: .seconds(10)),
                pacer: odooGate, logger: logger), pacer: odooGate),
        ]
    }

    func relays(postgres: PostgresClient, accounts: [Account], logger: Logger) -> [OutboxRelay] {
        let byID = Dictionary(uniqueKeysWithValues: accounts.map { ($0.id, $0) })
        return destinations(logger: logger).map { destination in
            OutboxRelay(destination: destination, postgres: postgres, accounts: byID,
                        batchSize: destination.name == "odoo" ? 25 : 100, workers: destination.name == "odoo" ? 4 : 1,
                        lease: .seconds(5),
                        backoff: RetryBackoff(base: .milliseconds(20), cap: .milliseconds(400)), logger: logger)
        }
    }

    /// Runs every relay until its outbox is settled.
    static func deliverAll(_ relays: [OutboxRelay]) async throws -> [String: RelayReport] {
        try await withThrowingTaskGroup(of: (String, RelayReport).self) { group in
            for relay in relays { group.addTask { (relay.destination.name, try await relay.deliverUntilSettled()) } }
            var reports: [String: RelayReport] = [:]
            for try await (name, report) in group { reports[name] = report }
            return reports
        }
    }
}
