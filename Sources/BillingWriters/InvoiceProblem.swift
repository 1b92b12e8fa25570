/// A record looked up in Odoo: found, or unusable with the reason the user must fix.
enum Lookup<Value: Sendable>: Sendable {
    case found(Value)
    case unusable(String)
}

extension Optional {
    /// The looked-up value, or the problem that stops the invoice.
    func required<Value>(_ what: String) throws(InvoiceProblem) -> Value where Wrapped == Lookup<Value> {
        switch self {
        case .some(.found(let value)): return value
        case .some(.unusable(let reason)): throw InvoiceProblem(reason)
        case .none: throw InvoiceProblem("internal error: \(what) was not looked up")
        }
    }
}

/// Why one invoice cannot be written, in words that say what to fix. Becomes `.failed`.
struct InvoiceProblem: Error, Sendable, Equatable {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}
