/// One answer from Stripe, with what the contract branches on: the status, the error object
/// (`{"error":{"type","code","message","param"}}`), `Idempotent-Replayed` and
/// `Stripe-Should-Retry`. A value type.
struct StripeReply: Sendable {
    let status: Int
    let body: JSONValue?
    /// `Idempotent-Replayed: true`: Stripe answered with the response stored under the key.
    let replayed: Bool
    /// `Stripe-Should-Retry`, when sent: Stripe's own word on whether retrying can help.
    let shouldRetry: Bool?
    let retryAfter: Duration?

    init(_ response: PacedHTTP.Response) {
        status = response.status
        body = JSONValue.parse(response.body)
        replayed = response.headers["idempotent-replayed"] == "true"
        shouldRetry = response.headers["stripe-should-retry"].map { $0 == "true" }
        retryAfter = response.retryAfter
    }

    var error: JSONValue? { body?["error"] }
    var errorMessage: String { error?["message"]?.stringValue ?? "no message" }

    /// The object's id (`ii_…`) or, for a meter event, its identifier.
    var objectID: String? { body?["id"]?.stringValue ?? body?["identifier"]?.stringValue }

    /// What `deliveries` shows: the status, the error's type, code and param, and its message
    /// verbatim, e.g. `Stripe answered 400 invalid_request_error (resource_missing, param
    /// customer): No such customer: 'cus_x'`.
    var summary: String {
        let type = error?["type"]?.stringValue ?? "error"
        var details: [String] = []
        if let code = error?["code"]?.stringValue { details.append(code) }
        if let param = error?["param"]?.stringValue { details.append("param \(param)") }
        let detail = details.isEmpty ? "" : " (\(details.joined(separator: ", ")))"
        return "Stripe answered \(status) \(type)\(detail): \(errorMessage)"
    }
}
