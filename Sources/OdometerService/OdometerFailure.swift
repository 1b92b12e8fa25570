/// A failure the CLI reports on one line, with its exit code (DESIGN §4): 1 for a user error
/// (fix the input or the configuration), 2 for an environment error (Kafka or Postgres
/// unreachable).
public enum OdometerFailure: Error, CustomStringConvertible, Equatable {
    case user(String)
    case environment(String)

    public var exitCode: Int32 {
        switch self {
        case .user: 1
        case .environment: 2
        }
    }

    public var description: String {
        switch self {
        case .user(let message), .environment(let message): message
        }
    }
}

extension OdometerFailure {
    /// Classifies any error for the CLI: connection problems are environment errors, the
    /// rest user errors; the message is the error's own description.
    public static func classify(_ error: any Error) -> OdometerFailure {
        if let failure = error as? OdometerFailure { return failure }
        let text = String(describing: error)
        let environmental = ["connect", "Connection refused", "unreachable", "cannot reach", "timed out", "PSQLError"]
        if environmental.contains(where: { text.contains($0) }) { return .environment(text) }
        return .user(text)
    }
}
