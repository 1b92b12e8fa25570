public import MeteringCore

/// The whole configuration of DESIGN §3, validated and with every default filled in.
/// Immutable value; Sendable. Secrets (API keys, the admin token, a URL password) are kept
/// but never printed: `description` redacts them.
public struct OdometerConfiguration: Sendable, CustomStringConvertible {
    public var kafka: KafkaSettings
    public var postgres: PostgresSettings
    public var pipeline: PipelineSettings
    public var http: HTTPSettings
    public var meters: [Meter]
    public var plans: [Plan]
    public var accounts: [Account]
    public var billing: BillingSettings

    public var description: String {
        "OdometerConfiguration(kafka: \(kafka.brokers) topic \(kafka.topic), postgres: \(Redaction.url(postgres.url)), "
            + "\(meters.count) meters, \(plans.count) plans, \(accounts.count) accounts, "
            + "destinations: \(billing.destinations.map(\.kind)))"
    }
}

public struct KafkaSettings: Sendable, Hashable {
    public var brokers: String
    public var topic = "usage"
    public var group = "odometer"
    public var deadLetterTopic: String
    public var sessionTimeoutMs = 45_000
    /// Passed through to librdkafka.
    public var properties: [String: String] = [:]
}

public struct PostgresSettings: Sendable, Hashable {
    public var url: String
}

public struct PipelineSettings: Sendable, Hashable {
    public var shards = 2
    public var flushIntervalMs = 200
    public var flushMaxKeys = 50_000
    /// Dedup on (source, id) within this much arrival time (DESIGN §5); nil: `off`.
    public var dedupWindow: Duration? = .seconds(3600)
    /// The memory the dedup window's ids may take in one instance.
    public var dedupMemoryBytes = 256 << 20
    /// How long a graceful stop (SIGTERM) may take before the process exits anyway.
    public var shutdownTimeout: Duration = .seconds(30)
    /// How soon an accounts import or a change of the file's accounts reaches a running `serve`.
    public var accountsRefreshMs = 10_000

    public init() {}
}

public struct HTTPSettings: Sendable, Hashable {
    public var listen = "127.0.0.1:8080"
    public var token: String?

    public init() {}
}

public struct BillingSettings: Sendable, Hashable {
    /// Only calendar months for now.
    public var period = "month"
    public var gracePeriod: Duration = .seconds(3600)
    public var destinations: [DestinationSettings] = []

    public init() {}
}

/// One billing destination (`billing.destinations[i]`).
public enum DestinationSettings: Sendable, Hashable {
    case stripe(url: String, apiKey: String, mode: StripeMode, rateLimitPerSecond: Int)
    case lago(url: String, apiKey: String, rateLimitPerSecond: Int)
    case odoo(url: String, database: String, login: String, apiKey: String, protocol: OdooProtocolSetting,
              post: Bool, createPartners: Bool, rateLimitPerSecond: Int)

    public enum StripeMode: String, Sendable, Hashable { case invoiceItems = "invoiceitems", meterEvents = "meter_events" }
    public enum OdooProtocolSetting: String, Sendable, Hashable { case auto, jsonrpc, json2 }

    /// Calls per second the destination's token bucket lets through.
    public var rateLimitPerSecond: Int {
        switch self {
        case .stripe(_, _, _, let rate), .lago(_, _, let rate), .odoo(_, _, _, _, _, _, _, let rate): rate
        }
    }

    public var kind: String {
        switch self {
        case .stripe: "stripe"
        case .lago: "lago"
        case .odoo: "odoo"
        }
    }
}

/// Hides secrets in text meant for people.
enum Redaction {
    /// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
    static func url(_ text: String) -> String {
        guard let scheme = text.range(of: "://"), let at = text[scheme.upperBound...].lastIndex(of: "@") else { return text }
        let credentials = text[scheme.upperBound..<at]
        guard let colon = credentials.firstIndex(of: ":") else { return text }
        return String(text[..<colon]) + ":***" + String(text[at...])
    }
}
