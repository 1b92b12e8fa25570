import Foundation

/// Lago's HTTP surface in front of ``LagoFakeLedger``: routing, bearer auth, faults (429 and
/// 5xx before anything is applied, a lost answer after), then the batch or the lookup.
/// Stateless; the state lives in ``LagoFake``.
enum LagoFakeEndpoint {
    static func handle(_ request: FakeHTTPRequest, fake: LagoFake) -> FakeHTTPResponse {
        let lookup = request.method == "GET" && request.path.hasPrefix("/api/v1/events/")
        let batch = request.method == "POST" && request.path == "/api/v1/events/batch"
        guard lookup || batch else { return error(404, "Not Found", code: "route_not_found") }
        return fake.state.withLock { state in
            state.requestCounts[batch ? "POST /api/v1/events/batch" : "GET /api/v1/events", default: 0] += 1
            guard request.bearerToken == state.apiKey else { return error(401, "Unauthorized") }
            var fault = state.dice?.roll()
            if state.rateLimitedRequests > 0 {
                state.rateLimitedRequests -= 1
                fault = .rateLimited
            } else if state.lostAnswers > 0 {
                state.lostAnswers -= 1
                fault = .appliedAnswerLost
            }
            switch fault {
            case .rateLimited?:
                var response = error(429, "Too Many Requests", code: "too_many_requests")
                response.headers = ["X-RateLimit-Limit": "500", "X-RateLimit-Remaining": "0",
                                    "X-RateLimit-Reset": String(state.rateLimitResetSeconds)]
                return response
            case .serverError?:
                return error(500, "Internal Server Error", code: "internal_error")
            case .appliedAnswerLost?, nil:
                break
            }
            var response: FakeHTTPResponse
            if lookup {
                let transaction = String(request.path.dropFirst("/api/v1/events/".count)).removingPercentEncoding ?? ""
                guard let event = state.ledger.event(transactionID: transaction) else {
                    return error(404, "Not Found", code: "event_not_found")
                }
                response = .json(.object(["event": event.json]))
            } else {
                guard let body = FakeJSON.parse(request.body), let events = body["events"]?.arrayValue else {
                    return error(400, "Bad Request", code: "bad_request")
                }
                do throws(LagoFakeLedger.BatchRefusal) {
                    // `ingest` checks the whole batch before it stores anything, so it runs in place.
                    let stored = try state.ledger.ingest(events)
                    response = .json(.object(["events": .array(stored.map(\.json))]))
                } catch {
                    guard case .validation(let details) = error else { return self.error(422, "Unprocessable Entity") }
                    var refusal = self.error(422, "Unprocessable Entity", code: "validation_errors")
                    refusal.body = FakeJSON.object(["status": .int(422), "error": .string("Unprocessable Entity"),
                                                    "code": .string("validation_errors"),
                                                    "error_details": .object(details)]).bytes
                    return refusal
                }
            }
            if fault == .appliedAnswerLost { response.dropConnection = true }
            return response
        }
    }

    private static func error(_ status: Int, _ text: String, code: String? = nil) -> FakeHTTPResponse {
        var body: [String: FakeJSON] = ["status": .int(status), "error": .string(text)]
        if let code { body["code"] = .string(code) }
        return .json(.object(body), status: status)
    }
}
