import Hummingbird
import OdometerService

/// An answer other than 2xx, with the message for `{"error": …}`.
struct AdminAPIError: Error, Sendable {
    let status: HTTPResponse.Status
    let message: String

    static let unauthorized = AdminAPIError(status: .unauthorized, message: "unauthorized")

    static func badRequest(_ message: String) -> AdminAPIError { AdminAPIError(status: .badRequest, message: message) }

    /// What a route's error means for the caller: their input (400), a refusal to close (409),
    /// Kafka or Postgres unreachable (503), or a server fault (500, details in the log only).
    static func from(_ error: any Error) -> AdminAPIError {
        switch error {
        case let error as AdminAPIError:
            return error
        case let error as OperatorInputError:
            return .badRequest(error.description)
        case let failure as OdometerFailure:
            switch failure {
            case .environment(let message): return AdminAPIError(status: .serviceUnavailable, message: message)
            case .user(let message) where message.contains("cannot close yet"):
                return AdminAPIError(status: .conflict, message: message)
            case .user(let message): return .badRequest(message)
            }
        case let error as HTTPError:
            return AdminAPIError(status: error.status, message: error.body ?? error.status.reasonPhrase.lowercased())
        default:
            return AdminAPIError(status: .internalServerError, message: "internal error; the server log has the details")
        }
    }
}
