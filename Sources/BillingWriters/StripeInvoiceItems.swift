import MeteringCore

/// Looks a line up among a customer's invoice items by `metadata[line_key]`: Stripe's
/// reconciliation after a replayed 500, or for a line unacknowledged long enough that its
/// idempotency key may have expired. Pages through `GET /v1/invoiceitems`. Stateless.
enum StripeInvoiceItems {
    enum Lookup: Sendable, Equatable {
        case found(id: String)
        case absent
        /// The listing itself failed; the line stays unknown.
        case unknown(reason: String, retryAfter: Duration?)
    }

    static func find(lineKey: String, customer: String, destination: StripeDestination,
                     http: PacedHTTP) async -> Lookup {
        var startingAfter: String?
        for _ in 0..<1_000 {
            var query = [("customer", customer), ("limit", "100")]
            if let startingAfter { query.append(("starting_after", startingAfter)) }
            let url = "\(destination.url)/v1/invoiceitems?" + FormEncoding.encode(query)
            let response: PacedHTTP.Response
            do {
                response = try await http.send(.GET, url, headers: [("Authorization", "Bearer \(destination.apiKey)")])
            } catch {
                switch error {
                case .gateClosed(let reopensIn):
                    return .unknown(reason: "Stripe calls are paused for \(reopensIn)", retryAfter: reopensIn)
                case .unknownOutcome(let reason):
                    return .unknown(reason: "listing invoice items failed: \(reason)", retryAfter: nil)
                }
            }
            let reply = StripeReply(response)
            guard reply.status == 200, let items = reply.body?["data"]?.arrayValue else {
                return .unknown(reason: "listing invoice items: \(reply.summary)", retryAfter: reply.retryAfter)
            }
            for item in items where item["metadata"]?["line_key"]?.stringValue == lineKey {
                if let id = item["id"]?.stringValue { return .found(id: id) }
            }
            guard reply.body?["has_more"] == .bool(true), let last = items.last?["id"]?.stringValue else { return .absent }
            startingAfter = last
        }
        return .unknown(reason: "customer \(customer) has more than 100,000 invoice items", retryAfter: nil)
    }
}
