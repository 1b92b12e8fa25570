/// One invoice for one account and one billing period, made of rated lines.
///
/// Built by period close and never mutated afterwards: a correction is a new document with new
/// lines. `key` is the idempotency anchor every destination keys on (Odoo's `ref` and
/// `invoice_origin`, Stripe's idempotency key), so the same document delivered twice bills once.
/// A value type, safe to share across threads.
public struct InvoiceDocument: Sendable, Hashable {
    /// Idempotency anchor, e.g. `usage:acct-42:2026-11`. Stable across retries and restarts.
    public var key: String
    /// The account's external id (the events' `subject`).
    public var account: String
    /// The billing period, `YYYY-MM`.
    public var period: String
    /// `YYYY-MM-DD`, the last day of the period.
    public var invoiceDate: String
    /// ISO 4217 code, upper case.
    public var currency: String
    /// The currency's minor unit (2 for USD, 3 for BHD, 0 for JPY); every line amount has
    /// exactly this many fractional digits.
    public var currencyMinorUnits: Int
    /// The `ref` of the customer in Odoo (`res.partner`), from the account's configuration.
    public var odooPartnerRef: String?
    public var lines: [InvoiceDocumentLine]

    public init(key: String, account: String, period: String, invoiceDate: String, currency: String,
                currencyMinorUnits: Int, odooPartnerRef: String?, lines: [InvoiceDocumentLine]) {
        self.key = key
        self.account = account
        self.period = period
        self.invoiceDate = invoiceDate
        self.currency = currency
        self.currencyMinorUnits = currencyMinorUnits
        self.odooPartnerRef = odooPartnerRef
        self.lines = lines
    }
}

/// One rated line of an ``InvoiceDocument``: a meter's usage in the period and its amount.
///
/// Quantities and amounts are exact decimal text, never floating point. Immutable once built;
/// a value type, safe to share across threads.
public struct InvoiceDocumentLine: Sendable, Hashable {
    /// Deterministic hash of destination, account, meter, period, dimensions and version.
    public var lineKey: String
    /// Meter slug; Odoo's product `default_code`.
    public var meter: String
    /// Human text carrying the metered quantity, the period and the pricing, e.g.
    /// `api_tokens 2026-11 (model=gpt-x): 1250000 units, graduated`.
    public var description: String
    /// Exact decimal text of the metered quantity.
    public var quantity: String
    /// Exact decimal text of the rated amount, with exactly `currencyMinorUnits` fractional digits.
    public var amount: String

    public init(lineKey: String, meter: String, description: String, quantity: String, amount: String) {
        self.lineKey = lineKey
        self.meter = meter
        self.description = description
        self.quantity = quantity
        self.amount = amount
    }
}
