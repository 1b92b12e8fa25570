import MeteringCore

/// The event one line becomes in Lago (shared/contracts/lago.md), built once so every retry
/// sends the same bytes:
/// `{"transaction_id","external_subscription_id","code","timestamp","properties":{"quantity"},
///   "precise_total_amount_cents"}`. The timestamp is pinned to the billed period's last
/// second; the amount is the rated amount in cents (minor units) as an exact decimal string,
/// for Lago's `dynamic` charge model. A value type.
struct LagoEvent: Sendable {
    let documentKey: String
    let transactionID: String
    let preciseTotalAmountCents: String
    let json: JSONValue

    init(document: InvoiceDocument) throws(InvoiceProblem) {
        guard document.lines.count == 1, let line = document.lines.first else {
            throw InvoiceProblem("document \(document.key) has \(document.lines.count) lines: Lago takes one line per event")
        }
        guard let subscription = document.lagoSubscription else {
            throw InvoiceProblem("account \(document.account) has no lagoSubscription: set it to the subscription's "
                + "external id in Lago")
        }
        guard let amount = MinorUnitAmount(rated: line.amount, minorDigits: document.currencyMinorUnits) else {
            throw InvoiceProblem("line \(line.lineKey): amount \"\(line.amount)\" is not a whole number of "
                + "\(document.currency) minor units (\(document.currencyMinorUnits) fractional digits); it was not sent")
        }
        documentKey = document.key
        transactionID = document.idempotencyKey
        preciseTotalAmountCents = String(amount.units)
        json = .object([
            "transaction_id": .string(transactionID),
            "external_subscription_id": .string(subscription),
            "code": .string(line.meter),
            "timestamp": .number(String(document.periodEnd - 1)),
            "properties": .object([LagoDestination.quantityProperty: .string(line.quantity)]),
            "precise_total_amount_cents": .string(preciseTotalAmountCents),
        ])
    }
}
