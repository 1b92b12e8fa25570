/// A plain HTTP exchange, so the fakes' protocol logic needs no server framework.
struct FakeHTTPRequest: Sendable {
    var method: String
    var path: String
    /// The raw query string, without `?`.
    var query: String = ""
    /// Lower-cased header names.
    var headers: [String: String]
    var body: [UInt8]

    /// The bearer token of `Authorization`, if any.
    var bearerToken: String? {
        guard let authorization = headers["authorization"], authorization.lowercased().hasPrefix("bearer ") else { return nil }
        return String(authorization.dropFirst(7))
    }
}

struct FakeHTTPResponse: Sendable {
    var status: Int
    var contentType = "application/json"
    var body: [UInt8]
    /// Answer only after this long (a slow server; with the client's timeout shorter, a lost answer).
    var delay: Duration?
    var retryAfterSeconds: Int?
    /// More headers, e.g. `Idempotent-Replayed`, `Stripe-Should-Retry`, `X-RateLimit-Reset`.
    var headers: [String: String] = [:]
    /// Close the connection instead of answering: the request was applied, its answer is lost.
    var dropConnection = false

    static func json(_ value: FakeJSON, status: Int = 200) -> Self { .init(status: status, body: value.bytes) }
    static func text(_ text: String, status: Int) -> Self {
        .init(status: status, contentType: "text/plain", body: Array(text.utf8))
    }

    /// The connection drops after the request was applied.
    static var lostAfterApplying: Self {
        var response = text("", status: 200)
        response.dropConnection = true
        return response
    }
}
