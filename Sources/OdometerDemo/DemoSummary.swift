public import OdometerService
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
    public let deliverTime: Duration
    /// What each destination holds after delivery.
    let destinations: [DemoDestinations.Tally]

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
              delivered     to three destinations at once in \(ingestSeconds(deliverTime)) s


            """
        for tally in destinations {
            let totals = tally.totals.keys.sorted().map { "\(tally.totals[$0]!) \($0)" }.joined(separator: ", ")
            let noun = ["stripe": "invoice items", "lago": "events", "odoo": "invoices"][tally.name] ?? "documents"
            out += "  \(tally.name.padding(toLength: 7, withPad: " ", startingAt: 0)) \(tally.documents) \(noun), total \(totals) "
                + "(\(tally.delivered) delivered, \(tally.failed) failed, \(tally.duplicates) duplicates)\n"
        }
        out += "\nTop accounts by amount, per currency:\n\n"
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
