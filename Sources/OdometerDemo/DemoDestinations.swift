import OdometerService
import BillingFakes
import BillingWriters
import Logging
import MeteringCore
import PostgresNIO

/// The demo's three billing destinations: Stripe, Lago and Odoo fakes on loopback, seeded for
/// the demo's accounts, each behind a writer and a gate. The fakes answer at once and publish no
/// limit, so the gates let `fakeRatePerSecond` calls through, not the real platforms' limits
/// (Stripe's 80/s would make a demo of 10,000 accounts take a quarter of an hour). Owned by one
/// demo run, which must call `stop()`.
struct DemoDestinations {
    /// What one destination holds after delivery.
    struct Tally: Sendable {
        var name: String
        var delivered: Int
        var failed: Int
        /// Documents the destination holds: invoice items, events, invoices.
        var documents: Int
        var duplicates: Int
        /// Per currency, exact decimal text.
        var totals: [String: String]
    }

    let stripe = StripeFake()
    let lago = LagoFake()
    let odoo = OdooFake()

    static let fakeRatePerSecond = 20_000

    func start(accounts: [Account], meters: [String]) async throws -> [DeliveryDestination] {
        stripe.addCustomers(accounts.compactMap(\.stripeCustomer))
        odoo.seedDemo(partnerRefs: accounts.compactMap(\.odooPartnerRef), meters: meters)
        let (stripeURL, lagoURL, odooURL) = (try await stripe.start(), try await lago.start(), try await odoo.start())
        let stripeGate = DeliveryGate(ratePerSecond: Self.fakeRatePerSecond)
        let lagoGate = DeliveryGate(ratePerSecond: Self.fakeRatePerSecond)
        let odooGate = DeliveryGate(ratePerSecond: Self.fakeRatePerSecond)
        var quiet = Logger(label: "odometer.demo.billing")
        quiet.logLevel = .error
        return [
            DeliveryDestination(name: "stripe", granularity: .line, writer: StripeWriter(
                destination: StripeDestination(url: stripeURL, apiKey: stripe.validApiKey, concurrency: 16), pacer: stripeGate,
                logger: quiet), pacer: stripeGate),
            DeliveryDestination(name: "lago", granularity: .line, writer: LagoWriter(
                destination: LagoDestination(url: lagoURL, apiKey: lago.validApiKey), pacer: lagoGate, logger: quiet),
                                pacer: lagoGate),
            DeliveryDestination(name: "odoo", granularity: .invoice, writer: OdooWriter(
                destination: OdooDestination(url: odooURL, database: odoo.database, login: odoo.login,
                                             apiKey: odoo.validApiKey), pacer: odooGate, logger: quiet), pacer: odooGate),
        ]
    }

    func stop() async {
        await stripe.stop()
        await lago.stop()
        await odoo.stop()
    }

    /// What each fake holds, beside what its relay reported. `currencies` maps each Lago
    /// subscription to its plan's currency (Lago events carry amounts in minor units only).
    func tallies(_ reports: [String: RelayReport], currencies: [String: String]) -> [Tally] {
        var stripeTotals: [String: Int64] = [:]
        for item in stripe.items() { stripeTotals[item.currency.uppercased(), default: 0] += item.amount }
        var lagoTotals: [String: Int64] = [:]
        for event in lago.events() {
            let currency = currencies[event.subscription] ?? "?"
            lagoTotals[currency, default: 0] += Int64(event.preciseTotalAmountCents ?? "0") ?? 0
        }
        var odooTotals: [String: ExactDecimal] = [:]
        for invoice in odoo.invoices() {
            let amount = ExactDecimal(invoice.amountTotal) ?? .zero
            odooTotals[invoice.currency, default: .zero] = ExactDecimal(raw: odooTotals[invoice.currency, default: .zero].raw + amount.raw)
        }
        /// Minor units as decimal text in each currency's own digits.
        func minor(_ totals: [String: Int64]) -> [String: String] {
            Dictionary(uniqueKeysWithValues: totals.map { code, units in
                let digits = Currency(code: code)?.minorUnits ?? 2
                var scale: Int128 = 1
                for _ in 0..<(ExactDecimal.scale - digits) { scale *= 10 }
                return (code, ExactDecimal(raw: Int128(units) * scale).formatted(fractionDigits: digits))
            })
        }
        return [
            Tally(name: "stripe", delivered: reports["stripe"]?.delivered ?? 0, failed: reports["stripe"]?.failed ?? 0,
                  documents: stripe.items().count, duplicates: stripe.duplicateLineKeys().count, totals: minor(stripeTotals)),
            Tally(name: "lago", delivered: reports["lago"]?.delivered ?? 0, failed: reports["lago"]?.failed ?? 0,
                  documents: lago.events().count, duplicates: lago.duplicatesReceived().count, totals: minor(lagoTotals)),
            Tally(name: "odoo", delivered: reports["odoo"]?.delivered ?? 0, failed: reports["odoo"]?.failed ?? 0,
                  documents: odoo.invoices().count, duplicates: odoo.duplicateRefs().count,
                  totals: odooTotals.mapValues { $0.formatted(fractionDigits: 2) }),
        ]
    }
}
