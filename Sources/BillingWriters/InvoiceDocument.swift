/// One document for one destination: an invoice of one account and one billing period (Odoo),
/// or one rated line (Stripe, Lago).
///
/// Built from what period close wrote and never mutated afterwards: a correction is a new
/// document with new lines. `key` names it in the outbox and in Odoo (`ref`,
/// `invoice_origin`); `idempotencyKey` is what the destination dedups on (Stripe's
/// `Idempotency-Key`, Lago's `transaction_id`, Odoo's external id), distinct per destination,
/// so the same document delivered twice bills once. A value type, safe to share across threads.
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
    /// What the destination dedups on; by default the key itself.
    public var idempotencyKey: String
    /// The account's Stripe customer (`cus_…`), from its configuration.
    public var stripeCustomer: String?
    /// The account's Lago subscription (`external_subscription_id`), from its configuration.
    public var lagoSubscription: String?
    /// The billed period's bounds in the account's time zone, Unix seconds, end exclusive.
    public var periodStart: Int64
    public var periodEnd: Int64
    /// How long since the first attempt to deliver it, when one was made: Stripe reconciles a
    /// line unacknowledged for 20 h before re-posting (its idempotency keys expire after 24 h).
    public var unacknowledgedFor: Duration?

    public init(key: String, account: String, period: String, invoiceDate: String, currency: String,
                currencyMinorUnits: Int, odooPartnerRef: String?, lines: [InvoiceDocumentLine],
                idempotencyKey: String? = nil, stripeCustomer: String? = nil, lagoSubscription: String? = nil,
                periodStart: Int64 = 0, periodEnd: Int64 = 0, unacknowledgedFor: Duration? = nil) {
        self.key = key
        self.account = account
        self.period = period
        self.invoiceDate = invoiceDate
        self.currency = currency
        self.currencyMinorUnits = currencyMinorUnits
        self.odooPartnerRef = odooPartnerRef
        self.lines = lines
        self.idempotencyKey = idempotencyKey ?? key
        self.stripeCustomer = stripeCustomer
        self.lagoSubscription = lagoSubscription
        self.periodStart = periodStart
        self.periodEnd = periodEnd
        self.unacknowledgedFor = unacknowledgedFor
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
    /// The period the usage belongs to (an adjustment's is earlier than its document's).
    public var period: String?
    public var version: Int

    public init(lineKey: String, meter: String, description: String, quantity: String, amount: String,
                period: String? = nil, version: Int = 1) {
        self.lineKey = lineKey
        self.meter = meter
        self.description = description
        self.quantity = quantity
        self.amount = amount
        self.period = period
        self.version = version
    }
}
