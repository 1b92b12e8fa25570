public import PostgresNIO

/// A parsed `postgres://user[:password]@host[:port]/database[?sslmode=…]` address.
///
/// Immutable value, thread-safe. Parsing is strict: anything it does not understand is an error naming the
/// part to fix, never silently ignored. `sslmode` follows libpq's meaning: `disable`, `prefer` (the default:
/// TLS when the server offers it, certificate not checked), `require` (TLS, certificate not checked),
/// `verify-ca` (TLS, chain checked) and `verify-full` (TLS, chain and host name checked).
public struct PostgresURL: Sendable, Hashable, CustomStringConvertible {
    /// libpq's `sslmode` values that Odometer supports (see the type's comment for their meaning).
    public enum SSLMode: String, Sendable, Hashable, CaseIterable {
        case disable, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    public var username: String
    public var password: String?
    /// Host name or IP address; an IPv6 address without brackets.
    public var host: String
    public var port: Int
    public var database: String
    public var sslMode: SSLMode

    public init(username: String, password: String? = nil, host: String, port: Int = 5432,
                database: String, sslMode: SSLMode = .prefer) {
        self.username = username
        self.password = password
        self.host = host
        self.port = port
        self.database = database
        self.sslMode = sslMode
    }

    /// Parses `text`; see `PostgresURLError` for what can be wrong.
    public init(parsing text: String) throws(PostgresURLError) {
        self = try PostgresURLParser.parse(text)
    }

    /// The same server and credentials, another database.
    public func with(database: String) -> PostgresURL {
        var copy = self
        copy.database = database
        return copy
    }

    /// The full address, password included, percent-encoded so that `init(parsing:)` reads it back.
    public var urlString: String {
        render(passwordText: password.map(PostgresURLParser.encode))
    }

    /// The address with the password shown as `***`, safe for logs and error messages.
    public var description: String {
        render(passwordText: password == nil ? nil : "***")
    }

    private func render(passwordText: String?) -> String {
        var text = "postgres://" + PostgresURLParser.encode(username)
        if let passwordText { text += ":" + passwordText }
        let hostText = host.contains(":") ? "[\(host)]" : host
        text += "@\(hostText):\(port)/" + PostgresURLParser.encode(database)
        if sslMode != .prefer { text += "?sslmode=\(sslMode.rawValue)" }
        return text
    }

    /// Configuration for a pooled `PostgresClient`.
    /// A session left idle inside a transaction for 15 s is ended by the server, its locks released:
    /// a process stopped mid-flush (SIGSTOP, a long GC pause of a VM) must not keep the partitions'
    /// offset rows locked from the owner that took them over (its claim waits for those locks).
    public var clientConfiguration: PostgresClient.Configuration {
        var configuration = PostgresClient.Configuration(host: host, port: port, username: username, password: password,
                                                         database: database, tls: clientTLS)
        configuration.options.additionalStartupParameters = [("idle_in_transaction_session_timeout", "15000")]
        return configuration
    }

    /// Configuration for a single `PostgresConnection` (administrative statements).
    func connectionConfiguration() throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS
        switch sslMode {
        case .disable: tls = .disable
        case .prefer: tls = .prefer(try NIOSSLContext(configuration: tlsConfiguration))
        case .require, .verifyCA, .verifyFull: tls = .require(try NIOSSLContext(configuration: tlsConfiguration))
        }
        return PostgresConnection.Configuration(host: host, port: port, username: username, password: password,
                                                database: database, tls: tls)
    }

    private var clientTLS: PostgresClient.Configuration.TLS {
        switch sslMode {
        case .disable: return .disable
        case .prefer: return .prefer(tlsConfiguration)
        case .require, .verifyCA, .verifyFull: return .require(tlsConfiguration)
        }
    }

    private var tlsConfiguration: TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        switch sslMode {
        case .disable, .prefer, .require: configuration.certificateVerification = .none
        case .verifyCA: configuration.certificateVerification = .noHostnameVerification
        case .verifyFull: configuration.certificateVerification = .fullVerification
        }
        return configuration
    }
}
