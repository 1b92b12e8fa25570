/// What is wrong with a Postgres URL; each message says what to write instead.
public enum PostgresURLError: Error, Sendable, Equatable, CustomStringConvertible {
    case unsupportedScheme(String)
    case missingUser
    case missingHost
    case invalidPort(String)
    case missingDatabase
    /// `part` names the component (user, password, database, parameter), never its text, which may be secret.
    case invalidPercentEncoding(part: String)
    case unsupportedParameter(String)
    case invalidSSLMode(String)

    private static let example = "postgres://odometer@127.0.0.1:5432/odometer"

    public var description: String {
        switch self {
        case .unsupportedScheme(let scheme):
            return "postgres url: scheme '\(scheme)' is not supported; start it with postgres:// "
                + "(e.g. \(Self.example))"
        case .missingUser:
            return "postgres url: no user name; write it before the host, e.g. \(Self.example)"
        case .missingHost:
            return "postgres url: no host; write it after '@', e.g. \(Self.example)"
        case .invalidPort(let port):
            return "postgres url: port '\(port)' is not a number from 1 to 65535"
        case .missingDatabase:
            return "postgres url: no database name; add it after the host, e.g. \(Self.example)"
        case .invalidPercentEncoding(let part):
            return "postgres url: the \(part) has a malformed %-escape or is not UTF-8; write %XX with two hex digits"
        case .unsupportedParameter(let name):
            return "postgres url: parameter '\(name)' is not supported; the only parameter is sslmode"
        case .invalidSSLMode(let mode):
            let modes = PostgresURL.SSLMode.allCases.map(\.rawValue).joined(separator: ", ")
            return "postgres url: sslmode '\(mode)' is not one of \(modes)"
        }
    }
}
