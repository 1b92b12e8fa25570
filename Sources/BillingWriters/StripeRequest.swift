import MeteringCore

/// The form a line is posted with, built once so every retry sends the same bytes.
///
/// Invoice items: `customer`, `currency` (lower case), `amount` (integer minor units),
/// `description`, `period[start]`, `period[end]` and `metadata[line_key|account|meter|period]`.
/// Meter events: `event_name` (the meter), `payload[stripe_customer_id]`, `payload[value]`
/// (at most 15 significant digits, never negative), `identifier` (the idempotency key without
/// its `:rN` re-key suffix) and
/// `timestamp` (the billed period's last second). A value type.
struct StripeRequest: Sendable {
    let path: String
    let body: String
    let lineKey: String
    let customer: String
    let identifier: String?

    init(document: InvoiceDocument, mode: StripeDestination.Mode) throws(InvoiceProblem) {
        guard document.lines.count == 1, let line = document.lines.first else {
            throw InvoiceProblem("document \(document.key) has \(document.lines.count) lines: Stripe takes one line per document")
        }
        guard let customer = document.stripeCustomer else {
            throw InvoiceProblem("account \(document.account) has no stripeCustomer: set it to the customer's id in Stripe (cus_…)")
        }
        lineKey = line.lineKey
        self.customer = customer
        switch mode {
        case .invoiceItems:
            guard let amount = MinorUnitAmount(rated: line.amount, minorDigits: document.currencyMinorUnits) else {
                throw InvoiceProblem("line \(line.lineKey): amount \"\(line.amount)\" is not a whole number of "
                    + "\(document.currency) minor units (\(document.currencyMinorUnits) fractional digits); it was not sent")
            }
            path = "/v1/invoiceitems"
            identifier = nil
            body = FormEncoding.encode([
                ("customer", customer), ("currency", document.currency.lowercased()), ("amount", String(amount.units)),
                ("description", line.description),
                ("period[start]", String(document.periodStart)), ("period[end]", String(document.periodEnd)),
                ("metadata[line_key]", line.lineKey), ("metadata[account]", document.account),
                ("metadata[meter]", line.meter), ("metadata[period]", line.period ?? document.period),
            ])
        case .meterEvents:
            guard !line.quantity.hasPrefix("-") else {
                throw InvoiceProblem("line \(line.lineKey) lowers \(line.meter) by \(line.quantity.dropFirst()): Stripe meter "
                    + "events cannot be negative; bill the correction as a credit in Stripe, or use mode invoiceitems")
            }
            guard Self.significantDigits(line.quantity) <= 15 else {
                throw InvoiceProblem("line \(line.lineKey): quantity \(line.quantity) has more than the 15 significant "
                    + "digits a Stripe meter event value may carry: change the meter's unit")
            }
            path = "/v1/billing/meter_events"
            // The identifier survives re-keys, so an event a stored 500 recorded is not counted twice.
            let identifier = DeliveryKey.base(of: document.idempotencyKey)
            self.identifier = identifier
            body = FormEncoding.encode([
                ("event_name", line.meter), ("payload[stripe_customer_id]", customer),
                ("payload[value]", line.quantity), ("identifier", identifier),
                ("timestamp", String(document.periodEnd - 1)),
            ])
        }
    }

    /// Digits from the first non-zero one to the last digit that carries value: `0.00120` → 2,
    /// `1500` → 4 (whole-number zeros count), `123.450` → 5.
    static func significantDigits(_ text: String) -> Int {
        var digits = Substring(text.hasPrefix("-") ? String(text.dropFirst()) : text)
        if digits.contains(".") {
            while digits.last == "0" { digits = digits.dropLast() }
            if digits.last == "." { digits = digits.dropLast() }
        }
        return digits.filter(\.isNumber).drop { $0 == "0" }.count
    }
}
