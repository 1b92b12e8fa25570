import Foundation
public import MeteringCore

/// What `odometer demo` measured and billed, and its printed form.
public struct DemoSummary: Sendable {
    public let period: BillingPeriod
    public let events: Int
    public let produceTime: Duration
    public let ingestTime: Duration
    public let committed: FlushReport
    public let plan: PeriodClosePlan
    public let delivered: Int
    public let failed: Int
    public let deliverTime: Duration
    public let odooInvoices: Int
    public let odooDuplicates: Int

    /// Events metered per second, from the consumer's start to the last committed offset.
    public var eventsPerSecond: Int { Int(Double(events) / ingestTime.seconds) }

    public func render(top: Int = 5) -> String {
        var out = """
            Odometer demo: \(events) events, \(plan.invoices.count) invoices for \(period)

              produced      \(events) events in \(ingestSeconds(produceTime)) s
              metered       \(committed.events) events in \(ingestSeconds(ingestTime)) s = \(eventsPerSecond) events/s \
            (exactly once, \(committed.flushes) flushes)
              rejected      \(committed.rejectedEvents)
              invoice lines \(plan.invoices.reduce(0) { $0 + $1.lines.count }) for \(plan.closingAccounts.count) accounts
              delivered     \(delivered) invoices to Odoo in \(ingestSeconds(deliverTime)) s (\(failed) failed, \
            \(odooDuplicates) duplicates in Odoo, \(odooInvoices) invoices there)

            Top accounts by amount, per currency:

            """
        let byCurrency = Dictionary(grouping: plan.invoices, by: \.currency.code)
        for currency in byCurrency.keys.sorted() {
            let ranked = byCurrency[currency]!.sorted { $0.total > $1.total }.prefix(top)
            let width = ranked.flatMap(\.lines).map(\.description.count).max() ?? 40
            for invoice in ranked {
                out += "  \(invoice.account)  \(invoice.total.formatted(fractionDigits: invoice.currency.minorUnits)) \(currency)\n"
                for line in invoice.lines {
                    let amount = line.amount.text
                    out += "      " + line.description + String(repeating: " ", count: width - line.description.count)
                        + String(repeating: " ", count: max(1, 12 - amount.count)) + amount + "\n"
                }
            }
        }
        return out
    }

    private func ingestSeconds(_ duration: Duration) -> String { String(format: "%.2f", duration.seconds) }
}

extension Duration {
    /// Seconds as a floating-point number, for reporting rates (never for money).
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
