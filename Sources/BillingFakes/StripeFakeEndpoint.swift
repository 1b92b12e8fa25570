import Foundation

/// Stripe's HTTP surface in front of ``StripeFakeLedger``: routing, bearer auth, faults (429s
/// and edge 5xx before the idempotency layer, lost answers after it), the idempotency store,
/// then the operation. Stateless; the state lives in ``StripeFake``.
enum StripeFakeEndpoint {
    static func handle(_ request: FakeHTTPRequest, fake: StripeFake) async -> FakeHTTPResponse {
        let route = "\(request.method) \(request.path)"
        guard ["POST /v1/invoiceitems", "GET /v1/invoiceitems", "POST /v1/billing/meter_events"].contains(route) else {
            return StripeFakeError(status: 404, type: "invalid_request_error",
                                   message: "Unrecognized request URL (\(request.method): \(request.path)).").response
        }
        let (authorized, fault) = fake.state.withLock { state -> (Bool, RandomFault?) in
            state.requestCounts[route, default: 0] += 1
            guard request.bearerToken == state.apiKey else { return (false, nil) }
            if state.rateLimitedRequests > 0 {
                state.rateLimitedRequests -= 1
                return (true, .rateLimited)
            }
            if state.lostAnswers > 0 {
                state.lostAnswers -= 1
                return (true, .appliedAnswerLost)
            }
            return (true, state.dice?.roll())
        }
        guard authorized else {
            return StripeFakeError(status: 401, type: "invalid_request_error",
                                   message: "Invalid API Key provided: \(String((request.bearerToken ?? "").prefix(8)))****").response
        }
        switch fault {
        case .rateLimited?:
            return StripeFakeError(status: 429, type: "invalid_request_error", code: "rate_limit",
                                   message: "Request rate limit exceeded. Learn more about rate limits here "
                                       + "https://stripe.com/docs/rate-limits.").response
        case .serverError?:
            return StripeFakeError(status: 503, type: "api_error",
                                   message: "Stripe is temporarily unavailable; the request was not processed.").response
        case .appliedAnswerLost?, nil:
            break
        }
        guard let form = StripeFakeForm(request.method == "GET" ? request.query : String(decoding: request.body, as: UTF8.self)) else {
            return StripeFakeError.invalid("Invalid request: the body is not form-encoded UTF-8.").response
        }
        var response: FakeHTTPResponse
        if request.method == "GET" {
            response = .json(fake.state.withLock { $0.ledger.list(form) })
        } else {
            response = await post(route: route, form: form, key: request.headers["idempotency-key"], fake: fake)
        }
        if fault == .appliedAnswerLost { response.dropConnection = true }
        return response
    }

    private enum Admission {
        case replay(StripeFakeLedger.StoredAnswer)
        case refuse(StripeFakeError)
        case proceed
    }

    private static func post(route: String, form: StripeFakeForm, key: String?, fake: StripeFake) async -> FakeHTTPResponse {
        let admission: Admission = fake.state.withLock { state in
            guard let key else { return .proceed }
            if let stored = state.ledger.answers[key] {
                guard stored.endpoint == route, stored.parameters == form.canonical else {
                    return .refuse(.init(status: 400, type: "idempotency_error",
                                         message: "Keys for idempotent requests can only be used with the same parameters "
                                             + "they were first used with. Try using a key other than '\(key)' if you "
                                             + "meant to execute a different request."))
                }
                return .replay(stored)
            }
            guard state.ledger.inFlight.insert(key).inserted else {
                return .refuse(.init(status: 409, type: "invalid_request_error", code: "idempotency_key_in_use",
                                     message: "There is currently another in-progress request using this "
                                         + "Idempotency-Key. Please try again later."))
            }
            return .proceed
        }
        switch admission {
        case .replay(let stored):
            var response = FakeHTTPResponse(status: stored.status, body: stored.body)
            response.headers["Idempotent-Replayed"] = "true"
            return response
        case .refuse(let error):
            return error.response
        case .proceed:
            break
        }
        if let delay = fake.state.withLock({ $0.processingDelay }) { try? await Task.sleep(for: delay) }
        let now = fake.now()
        return fake.state.withLock { state in
            if let key { state.ledger.inFlight.remove(key) }
            // Each ledger operation checks everything before it changes anything, so it runs in place.
            var stored: (status: Int, body: FakeJSON)
            if route == "POST /v1/invoiceitems", let lineKey = form.nested("metadata")["line_key"],
               let afterCreating = state.storedServerErrors.removeValue(forKey: lineKey) {
                if afterCreating { _ = try? state.ledger.createItem(form) }
                stored = (500, .object(["error": .object(["type": .string("api_error"),
                                                          "message": .string("An unknown error occurred")])]))
            } else {
                do throws(StripeFakeError) {
                    let object = route == "POST /v1/invoiceitems"
                        ? try state.ledger.createItem(form) : try state.ledger.createMeterEvent(form, now: now)
                    stored = (200, object)
                } catch {
                    // Parameter errors never executed: Stripe stores nothing under the key.
                    return error.response
                }
            }
            if let key {
                state.ledger.answers[key] = .init(endpoint: route, parameters: form.canonical, status: stored.status,
                                                  body: stored.body.bytes)
            }
            return .json(stored.body, status: stored.status)
        }
    }
}
