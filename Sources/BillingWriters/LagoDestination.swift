/// Where and how to deliver lines to one Lago organization: the `kind: lago` destination of
/// the configuration. A value type; its description never shows the API key.
public struct LagoDestination: Sendable, Hashable, CustomStringConvertible {
    /// Base URL, e.g. `https://api.getlago.com` (no trailing slash).
    public var url: String
    public var apiKey: String
    /// Time one HTTP call may take; past it the outcome is unknown and the events are looked up.
    public var timeout: Duration
    /// Event lookups (`GET /api/v1/events/{id}`) sent at once while reconciling.
    public var concurrency: Int

    /// Lago Cloud allows 500 requests/s on event endpoints per organization.
    public static let defaultRateLimitPerSecond = 500
    /// Events one batch may carry.
    public static let maximumBatch = 100
    /// The event property the quantity travels in (the billable metric sums it).
    public static let quantityProperty = "quantity"

    public init(url: String, apiKey: String, timeout: Duration = .seconds(30), concurrency: Int = 8) {
        self.url = url.hasSuffix("/") ? String(url.dropLast()) : url
        self.apiKey = apiKey
        self.timeout = timeout
        self.concurrency = max(1, concurrency)
    }

    public var description: String { "lago:\(url)" }
}
