/// The faults a test has armed on the fake, consumed as calls arrive. A value type owned by
/// ``OdooFake`` behind its mutex.
struct OdooFakeFaults: Sendable {
    /// A model and method, e.g. `account.move` / `create`. `nil` fields match any.
    struct Target: Hashable, Sendable {
        var model: String?
        var method: String?

        func matches(model: String, method: String) -> Bool {
            (self.model ?? model) == model && (self.method ?? method) == method
        }
    }

    struct Armed<Value: Sendable>: Sendable {
        var target: Target
        var value: Value
        var remaining: Int
    }

    var delaysAfterCommit: [Armed<Duration>] = []
    var serverErrors: [Armed<ServerError>] = []
    var serializationFailures: [Armed<Void>] = []
    var keyExpired = false

    /// An HTTP error from the proxy in front of Odoo; the call does not run.
    struct ServerError: Sendable, Equatable {
        var status: Int
        var retryAfterSeconds: Int?
    }

    /// What to do with one incoming ORM call, decided before it runs.
    struct Plan: Sendable {
        var serverError: ServerError?
        var serializationFailure = false
        var delayAfterCommit: Duration?
    }

    mutating func plan(model: String, method: String) -> Plan {
        var plan = Plan()
        plan.serverError = Self.take(&serverErrors, model: model, method: method)
        if plan.serverError == nil {
            plan.serializationFailure = Self.take(&serializationFailures, model: model, method: method) != nil
        }
        if plan.serverError == nil && !plan.serializationFailure {
            plan.delayAfterCommit = Self.take(&delaysAfterCommit, model: model, method: method)
        }
        return plan
    }

    private static func take<Value>(_ armed: inout [Armed<Value>], model: String, method: String) -> Value? {
        guard let index = armed.firstIndex(where: { $0.remaining > 0 && $0.target.matches(model: model, method: method) })
        else { return nil }
        armed[index].remaining -= 1
        let value = armed[index].value
        if armed[index].remaining == 0 { armed.remove(at: index) }
        return value
    }
}
