public import MeteringCore
public import PostgresStore

/// What `close` did (or, with `--dry-run`, would do), for people and as JSON.
public struct CloseSummary: Sendable {
    public let plan: PeriodClosePlan
    /// nil for a dry run.
    public let outcome: CloseOutcome?

    public init(plan: PeriodClosePlan, outcome: CloseOutcome?) {
        self.plan = plan
        self.outcome = outcome
    }

    var lineCount: Int { plan.invoices.reduce(0) { $0 + $1.lines.count } }
    var adjustments: [InvoiceLine] { plan.invoices.flatMap(\.adjustments) }

    public var text: String {
        var out = outcome == nil ? "dry run: nothing written\n" : ""
        out += "period \(plan.period): \(plan.closingAccounts.count) accounts to close, \(plan.invoices.count) invoices, "
            + "\(lineCount) lines"
        if !plan.alreadyClosed.isEmpty { out += "; \(plan.alreadyClosed.count) accounts already closed, left as they were" }
        if plan.unbilledRows > 0 { out += "; \(plan.unbilledRows) rows of unknown accounts stay unbilled" }
        let adjustments = self.adjustments
        if !adjustments.isEmpty {
            out += "\n\(adjustments.count) adjustment lines for earlier closed periods:"
            for line in adjustments {
                out += "\n  \(line.account)  v\(line.version)  \(line.description)  \(line.amount.text) \(line.amount.currency.code)"
            }
        }
        if let outcome {
            out += outcome.changedNothing
                ? "\nnothing new written (already closed)"
                : "\nwrote \(outcome.linesInserted) invoice lines and \(outcome.outboxInserted) outbox entries"
        }
        let totals = Dictionary(grouping: plan.invoices, by: \.currency.code).map { currency, invoices in
            let sum = invoices.reduce(ExactDecimal.zero) { ExactDecimal(raw: $0.raw + $1.total.raw) }
            return "\(sum.formatted(fractionDigits: invoices[0].currency.minorUnits)) \(currency)"
        }
        if !totals.isEmpty { out += "\ntotal: " + totals.sorted().joined(separator: ", ") }
        return out
    }

    public var json: String {
        let invoices = plan.invoices.map { invoice in
            "{\"account\":\(UsageReport.quoted(invoice.account)),\"document\":\(UsageReport.quoted(invoice.documentKey)),"
                + "\"currency\":\"\(invoice.currency.code)\",\"total\":\"\(invoice.total.formatted(fractionDigits: invoice.currency.minorUnits))\","
                + "\"lines\":\(invoice.lines.count),\"adjustments\":[\(invoice.adjustments.map(Self.json).joined(separator: ","))]}"
        }
        return "{\"period\":\"\(plan.period)\",\"dryRun\":\(outcome == nil),\"accounts\":\(plan.closingAccounts.count),"
            + "\"alreadyClosed\":\(plan.alreadyClosed.count),\"lines\":\(lineCount),\"adjustmentLines\":\(adjustments.count),"
            + "\"linesWritten\":\(outcome?.linesInserted ?? 0),\"outboxWritten\":\(outcome?.outboxInserted ?? 0),"
            + "\"invoices\":[\(invoices.joined(separator: ","))]}"
    }

    /// One adjustment line: `{"line","period","meter","dimensions","version","quantity","amount","description"}`.
    static func json(_ line: InvoiceLine) -> String {
        "{\"line\":\(UsageReport.quoted(line.lineKey)),\"period\":\(UsageReport.quoted(line.period)),"
            + "\"meter\":\(UsageReport.quoted(line.meter)),\"dimensions\":\(line.dimensions),\"version\":\(line.version),"
            + "\"quantity\":\(UsageReport.quoted(line.quantity.description)),\"amount\":\(UsageReport.quoted(line.amount.text)),"
            + "\"description\":\(UsageReport.quoted(line.description))}"
    }
}
