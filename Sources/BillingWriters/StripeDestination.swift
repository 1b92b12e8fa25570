/// Where and how to deliver lines to one Stripe account: the `kind: stripe` destination of
/// the configuration. A value type; its description never shows the API key.
public struct StripeDestination: Sendable, Hashable, CustomStringConvertible {
    public enum Mode: String, Sendable, Hashable {
        /// Pre-rated lines as invoice items on the customer's upcoming invoice (the default).
        case invoiceItems = "invoiceitems"
        /// Quantities as billing meter events, for plans Stripe prices itself.
        case meterEvents = "meter_events"
    }

    /// Base URL, e.g. `https://api.stripe.com` (no trailing slash).
    public var url: String
    public var apiKey: String
    public var mode: Mode
    /// Time one HTTP call may take; past it the outcome is unknown and the same idempotency key
    /// is sent again.
    public var timeout: Duration
    /// Lines posted at once (each line is one request; the gate paces them).
    public var concurrency: Int

    /// Stripe allows 100 operations/s in live mode and 25 in sandbox; the bucket stays below.
    public static let defaultRateLimitPerSecond = 80
    /// Stripe keeps idempotency keys about 24 h: a line unacknowledged this long is reconciled
    /// before it is posted again.
    public static let reconcileAfter: Duration = .seconds(20 * 3600)
    /// Items one invoice may hold.
    public static let maximumItemsPerInvoice = 250

    public init(url: String, apiKey: String, mode: Mode = .invoiceItems, timeout: Duration = .seconds(30),
                concurrency: Int = 8) {
        self.url = url.hasSuffix("/") ? String(url.dropLast()) : url
        self.apiKey = apiKey
        self.mode = mode
        self.timeout = timeout
        self.concurrency = max(1, concurrency)
    }

    public var description: String { "stripe:\(url) (\(mode.rawValue))" }
}
