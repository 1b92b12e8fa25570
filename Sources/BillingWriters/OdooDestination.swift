/// Which of Odoo's external APIs a destination speaks.
public enum OdooProtocol: String, Sendable, Hashable, CaseIterable {
    /// Try JSON-2 first and fall back to JSON-RPC when the server answers 404 (Odoo ≤ 18).
    case auto
    /// `POST /jsonrpc` with `common.login` and `object.execute_kw` (Odoo 16–19; removed in 22).
    case jsonrpc
    /// `POST /json/2/{model}/{method}` with a bearer API key (Odoo ≥ 19).
    case json2
}

/// Where and how to deliver invoices to one Odoo database: the `kind: odoo` destination of the
/// configuration. A value type, thread-safe; its description never shows the API key.
public struct OdooDestination: Sendable, Hashable, CustomStringConvertible {
    /// Base URL, e.g. `https://erp.example.com` (no trailing path).
    public var url: String
    /// The database name (`X-Odoo-Database` for JSON-2, first login argument for JSON-RPC).
    public var database: String
    /// The Odoo user whose API key this is, e.g. `billing-bot`.
    public var login: String
    public var apiKey: String
    public var `protocol`: OdooProtocol
    /// Also post (`action_post`) the draft invoices once they are verified.
    public var post: Bool
    /// Create a missing `res.partner` (named after the account) instead of failing the invoice.
    public var createPartners: Bool
    /// Time one HTTP call may take. Past it the outcome is unknown and the writer searches again
    /// before it creates anything.
    public var timeout: Duration

    public init(url: String, database: String, login: String, apiKey: String,
                protocol: OdooProtocol = .auto, post: Bool = false, createPartners: Bool = false,
                timeout: Duration = .seconds(30)) {
        self.url = url.hasSuffix("/") ? String(url.dropLast()) : url
        self.database = database
        self.login = login
        self.apiKey = apiKey
        self.protocol = `protocol`
        self.post = post
        self.createPartners = createPartners
        self.timeout = timeout
    }

    /// Calls per second when the configuration sets no `rateLimitPerSecond`. Odoo publishes no
    /// limit; each call carries a whole batch of invoices, and a worker serves a few per second.
    public static let defaultRateLimitPerSecond = 20

    public var description: String {
        "odoo:\(url)/\(database) (login \(login), protocol \(self.protocol.rawValue))"
    }
}
