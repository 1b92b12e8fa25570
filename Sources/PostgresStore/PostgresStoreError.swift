import PostgresNIO

/// A failure talking to Postgres, phrased for the person who has to fix it.
///
/// `unreachable` means the server could not be reached or the connection broke (the CLI maps it to exit
/// code 2); `rejected` means the server refused a statement and carries its SQLSTATE and message verbatim.
public enum PostgresStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The server could not be reached, or the connection was lost during `operation`.
    case unreachable(operation: String, reason: String)
    /// The server rejected a statement of `operation`.
    case rejected(operation: String, sqlState: String, message: String, detail: String?, hint: String?)
    /// The database holds a schema version this build does not know (a newer Odometer migrated it).
    case schemaNewerThanBinary(found: Int, known: Int)
    /// A statement returned something the store's contract rules out.
    case unexpectedResult(operation: String, reason: String)

    public var description: String {
        switch self {
        case .unreachable(let operation, let reason):
            return "\(operation): cannot reach Postgres (\(reason)); check postgres.url and that the server is up"
        case .rejected(let operation, let sqlState, let message, let detail, let hint):
            var text = "\(operation): Postgres rejected the statement: \(message) (SQLSTATE \(sqlState))"
            if let detail { text += "; detail: \(detail)" }
            if let hint { text += "; hint: \(hint)" }
            return text
        case .schemaNewerThanBinary(let found, let known):
            return "the database schema is at version \(found) but this odometer knows versions up to \(known); "
                + "upgrade odometer or point postgres.url at another database"
        case .unexpectedResult(let operation, let reason):
            return "\(operation): unexpected result from Postgres: \(reason)"
        }
    }

    /// True when the error is about reaching the server rather than about a statement.
    public var isConnectionFailure: Bool {
        if case .unreachable = self { return true }
        return false
    }

    /// SQLSTATE of a rejected statement, nil otherwise.
    public var sqlState: String? {
        if case .rejected(_, let sqlState, _, _, _) = self { return sqlState }
        return nil
    }
}

/// Runs `body` and turns postgres-nio errors into `PostgresStoreError`; every other error passes unchanged.
func withStoreErrors<Result>(
    _ operation: String,
    _ body: () async throws -> Result
) async throws -> Result {
    do {
        return try await body()
    } catch let error as PSQLError {
        throw PostgresStoreError(operation: operation, error)
    } catch let error as PostgresTransactionError {
        if let closureError = error.closureError { throw closureError }
        if let psql = (error.commitError ?? error.beginError) as? PSQLError {
            throw PostgresStoreError(operation: operation, psql)
        }
        throw error
    }
}

extension PostgresStoreError {
    init(operation: String, _ error: PSQLError) {
        if error.code == .server, let info = error.serverInfo {
            self = .rejected(
                operation: operation,
                sqlState: info[.sqlState] ?? "?????",
                message: info[.message] ?? "no message",
                detail: info[.detail],
                hint: info[.hint])
            return
        }
        var reason = "\(error.code)"
        if let underlying = error.underlying { reason += ": \(underlying)" }
        if Self.connectionCodes.contains(error.code) {
            self = .unreachable(operation: operation, reason: reason)
        } else {
            self = .unexpectedResult(operation: operation, reason: reason)
        }
    }

    /// postgres-nio codes that mean the server was not reached or the session broke.
    private static let connectionCodes: Set<PSQLError.Code> = [
        .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .poolClosed,
        .sslUnsupported, .failedToAddSSLHandler, .receivedUnencryptedDataAfterSSLRequest,
        .unsupportedAuthMechanism, .authMechanismRequiresPassword, .saslError,
    ]
}
