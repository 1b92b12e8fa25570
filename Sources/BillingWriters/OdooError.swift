/// Why a call to Odoo did not return a result. Internal to the writer, which turns each case
/// into a ``DeliveryOutcome`` of the invoices it concerns.
enum OdooError: Error, Sendable, Equatable {
    /// `login` answered `false`, a call raised `AccessDenied`, or JSON-2 answered 401.
    case rejectedCredentials
    /// Odoo raised an exception: `name` is `data.name` (e.g. `odoo.exceptions.ValidationError`),
    /// `message` is `data.message`, verbatim.
    case remote(name: String, message: String)
    /// No usable answer: timeout, dropped connection, 429 or 5xx. The call may or may not have
    /// committed, so nothing may be re-created before searching again.
    case outcomeUnknown(reason: String, retryAfter: Duration?)
    /// The destination's gate refused the call (breaker open, or paused after a 429): nothing
    /// was sent; try again after `reopensIn`.
    case paused(reopensIn: Duration)
    /// JSON-2 answered 404: the server has no JSON-2 (Odoo ≤ 18) or no such model or method.
    case notFound(String)
    /// The answer was not what the protocol promises.
    case malformedResponse(String)

    /// True when the same call may succeed later unchanged: database concurrency errors
    /// (`SerializationFailure`, `LockNotAvailable`) and unknown outcomes.
    var isTransient: Bool {
        switch self {
        case .outcomeUnknown, .paused:
            return true
        case .remote(let name, _):
            return Self.concurrencyErrorNames.contains { name.contains($0) }
        case .rejectedCredentials, .notFound, .malformedResponse:
            return false
        }
    }

    /// True for Odoo's duplicate-key error on `ir_model_data_module_name_uniq_index`.
    var isExternalIDConflict: Bool {
        guard case .remote(_, let message) = self else { return false }
        return message.contains("ir_model_data_module_name_uniq_index")
    }

    var retryAfter: Duration? {
        switch self {
        case .outcomeUnknown(_, let after): return after
        case .paused(let reopensIn): return reopensIn
        default: return nil
        }
    }

    /// What the user reads in `odometer deliveries`: the remote text verbatim, and what to do.
    var reason: String {
        switch self {
        case .rejectedCredentials:
            return "Odoo rejected the API key (expired or revoked): rotate it"
        case .remote(let name, let message):
            if isTransient { return "Odoo database busy (\(name)): \(message)" }
            return message
        case .outcomeUnknown(let reason, _):
            return reason
        case .paused(let reopensIn):
            return "Odoo calls are paused for \(reopensIn) (its breaker is open or it answered 429)"
        case .notFound(let what):
            return "Odoo answered 404 for \(what): check the URL, the database and that Invoicing is installed"
        case .malformedResponse(let what):
            return "Odoo sent an answer the writer cannot read (\(what)): check the URL points at Odoo"
        }
    }

    private static let concurrencyErrorNames = ["SerializationFailure", "LockNotAvailable",
                                                "TransactionRollbackError"]
}
