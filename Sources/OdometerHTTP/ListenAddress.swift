public import OdometerConfig

/// Why the admin HTTP settings cannot be used; the message names the key and what to do.
public struct HTTPConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
}

/// Where the admin server listens (`http.listen`), and whether that is loopback only.
public struct ListenAddress: Sendable, Equatable {
    public var host: String
    public var port: Int

    /// Parses `host:port` (`127.0.0.1:8080`, `[::1]:8080`, `0.0.0.0:8080`).
    public init(_ text: String) throws(HTTPConfigurationError) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
              (0...65535).contains(port), colon != text.startIndex else {
            throw HTTPConfigurationError(description: "config: `http.listen` must be host:port, e.g. \"127.0.0.1:8080\"")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self.host = host
        self.port = port
    }

    /// True for 127.0.0.0/8, ::1 and `localhost`: only this machine can connect.
    public var isLoopback: Bool {
        if host == "localhost" || host == "::1" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }
}

/// The admin server's settings, checked: a listener reachable from other machines must have a
/// token, so that nobody there can close periods or replay dead letters.
public struct AdminHTTPSettings: Sendable {
    public let listen: ListenAddress
    /// The bearer token of the `/v1` routes; nil leaves them answering 401 to everyone.
    public let token: String?

    public init(_ settings: HTTPSettings) throws(HTTPConfigurationError) {
        listen = try ListenAddress(settings.listen)
        token = settings.token
        if !listen.isLoopback && token == nil {
            throw HTTPConfigurationError(description:
                "config: `http.token` is required when `http.listen` (\(settings.listen)) is not a loopback address: "
                    + "set `http.token` (e.g. \"${ODOMETER_ADMIN_TOKEN}\"), or listen on 127.0.0.1")
        }
    }
}
