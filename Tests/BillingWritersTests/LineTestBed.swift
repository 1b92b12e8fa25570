import BillingFakes
import Logging
import MeteringCore
@testable import BillingWriters

/// One-line documents as the relay builds them for Stripe and Lago: account `acct-N` is
/// Stripe customer `cus_N` and Lago subscription `sub_N`, billed for 2026-11 (UTC).
enum LineTestBed {
    static let novemberStart: Int64 = 1_793_491_200   // 2026-11-01T00:00:00Z
    static let novemberEnd: Int64 = 1_796_083_200     // 2026-12-01T00:00:00Z

    static func line(_ index: Int, destination: String, amount: String = "12.30", quantity: String = "1230",
                     meter: String = "api_calls", currency: String = "USD", minorUnits: Int = 2,
                     customer: String? = nil, subscription: String? = nil) -> InvoiceDocument {
        let lineKey = InvoiceLine.key(account: "acct-\(index)", meter: meter, period: "2026-11", dimensions: "{}", version: 1)
        return InvoiceDocument(
            key: lineKey, account: "acct-\(index)", period: "2026-11", invoiceDate: "2026-11-30", currency: currency,
            currencyMinorUnits: minorUnits, odooPartnerRef: nil,
            lines: [InvoiceDocumentLine(lineKey: lineKey, meter: meter, description: "\(meter) 2026-11: \(quantity) units, unit",
                                        quantity: quantity, amount: amount, period: "2026-11")],
            idempotencyKey: DeliveryKey.derive(destination: destination, documentKey: lineKey),
            stripeCustomer: customer ?? "cus_\(index)", lagoSubscription: subscription ?? "sub_\(index)",
            periodStart: novemberStart, periodEnd: novemberEnd)
    }

    static var quietLogger: Logger {
        var logger = Logger(label: "odometer.test.billing")
        logger.logLevel = .critical
        return logger
    }

    /// A gate that lets everything through at once, except for a breaker that never opens in a test.
    static func openGate(rate: Int = 100_000) -> DeliveryGate<ContinuousClock> {
        DeliveryGate(ratePerSecond: rate, breaker: CircuitBreaker(failureThreshold: 1_000, openDuration: .seconds(1)),
                     throttleBackoff: RetryBackoff(base: .milliseconds(5), cap: .milliseconds(50)))
    }
}

extension DeliveryOutcome {
    var isRetry: Bool {
        if case .retry = self { return true }
        return false
    }

    var deliveredID: String? {
        if case .delivered(let id) = self { return id }
        return nil
    }
}
