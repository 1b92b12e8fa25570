public import AsyncHTTPClient
public import Logging
public import MeteringCore

/// Delivers rated lines to Stripe (shared/contracts/stripe.md): as invoice items on the
/// customer's upcoming invoice (the default), or as billing meter events.
///
/// Guarantees:
/// - Each line is one request under its own `Idempotency-Key` (the document's idempotency key,
///   which names the destination); a retry, a timeout or a crash-restart sends the same key and
///   the same bytes, so Stripe replays instead of billing twice.
/// - A replayed 500 is final for its key: the writer lists the customer's invoice items, and
///   returns the remote id when `metadata[line_key]` shows the line billed, or `.rekey` with
///   `<key>:r1` (stored by the relay before anything is sent under it).
/// - 409, 429, 5xx and network failures are retried with the same key; `Stripe-Should-Retry`
///   decides when present. Other 4xx fail the line with Stripe's message verbatim.
/// - Amounts go out as integer minor units, exactly: a line whose amount does not fit the
///   currency's minor unit fails before any call, never rounded.
/// - Every request passes the destination's gate (token bucket at the configured rate, breaker).
///
/// Stateless apart from its configuration; thread-safe. Borrows the `HTTPClient`.
public struct StripeWriter: InvoiceWriter {
    public let destinationName: String
    let destination: StripeDestination
    let http: PacedHTTP
    let logger: Logger

    public init(destination: StripeDestination, httpClient: HTTPClient = .shared, pacer: (any CallPacer)? = nil,
                logger: Logger = Logger(label: "odometer.billing.stripe")) {
        self.destinationName = destination.description
        self.destination = destination
        self.http = PacedHTTP(client: httpClient, timeout: destination.timeout,
                              pacer: pacer ?? DeliveryGate(ratePerSecond: StripeDestination.defaultRateLimitPerSecond))
        self.logger = logger
    }

    public func deliver(_ documents: [InvoiceDocument]) async -> [String: DeliveryOutcome] {
        var unique: [InvoiceDocument] = []
        var seen: Set<String> = []
        for document in documents where seen.insert(document.key).inserted { unique.append(document) }
        return await withTaskGroup(of: (String, DeliveryOutcome).self) { group in
            var outcomes: [String: DeliveryOutcome] = [:]
            var next = unique.makeIterator()
            for _ in 0..<destination.concurrency {
                guard let document = next.next() else { break }
                group.addTask { (document.key, await deliverLine(document)) }
            }
            for await (key, outcome) in group {
                outcomes[key] = outcome
                if let document = next.next() { group.addTask { (document.key, await deliverLine(document)) } }
            }
            return outcomes
        }
    }

    /// One line: checked, reconciled first when its key may have expired, then posted.
    func deliverLine(_ document: InvoiceDocument) async -> DeliveryOutcome {
        let request: StripeRequest
        do {
            request = try StripeRequest(document: document, mode: destination.mode)
        } catch {
            return .failed(reason: error.reason)
        }
        if destination.mode == .invoiceItems, let waited = document.unacknowledgedFor,
           waited >= StripeDestination.reconcileAfter {
            switch await StripeInvoiceItems.find(lineKey: request.lineKey, customer: request.customer,
                                                 destination: destination, http: http) {
            case .found(let id): return .delivered(remoteId: id)
            case .absent: break
            case .unknown(let reason, let after): return .retry(reason: reason, after: after)
            }
        }
        let response: PacedHTTP.Response
        do {
            response = try await http.send(.POST, destination.url + request.path, headers: [
                ("Authorization", "Bearer \(destination.apiKey)"),
                ("Content-Type", "application/x-www-form-urlencoded"),
                ("Idempotency-Key", document.idempotencyKey),
            ], body: Array(request.body.utf8))
        } catch {
            switch error {
            case .gateClosed(let reopensIn):
                return .retry(reason: "Stripe calls are paused for \(reopensIn) (breaker open or rate limited)", after: reopensIn)
            case .unknownOutcome(let reason):
                return .retry(reason: "Stripe: \(reason); the same idempotency key is sent again", after: nil)
            }
        }
        return await interpret(StripeReply(response), request: request, document: document)
    }

    private func interpret(_ reply: StripeReply, request: StripeRequest, document: InvoiceDocument) async -> DeliveryOutcome {
        if (200...299).contains(reply.status) {
            return .delivered(remoteId: reply.objectID ?? document.idempotencyKey)
        }
        if reply.status == 500 && reply.replayed {
            return await reconcileSpentKey(reply, request: request, document: document)
        }
        if destination.mode == .meterEvents, reply.status == 400,
           reply.errorMessage.hasPrefix("An event already exists with identifier") {
            return .delivered(remoteId: request.identifier ?? document.idempotencyKey)
        }
        if reply.status == 401 {
            return .failed(reason: "\(reply.summary): Stripe rejected the API key; check the destination's apiKey")
        }
        let transient = reply.status == 409 || reply.status == 429 || reply.status >= 500
        if reply.shouldRetry ?? transient {
            return .retry(reason: reply.summary, after: reply.retryAfter)
        }
        return .failed(reason: reply.summary)
    }

    /// Stripe will only ever replay the stored 500 under this key: find out whether the line
    /// was billed anyway, and otherwise move it to the next key.
    private func reconcileSpentKey(_ reply: StripeReply, request: StripeRequest,
                                   document: InvoiceDocument) async -> DeliveryOutcome {
        let newKey = DeliveryKey.successor(of: document.idempotencyKey)
        guard destination.mode == .invoiceItems else {
            // Meter events dedup on their identifier: a re-post under a new key cannot count twice.
            return .rekey(newKey: newKey, reason: "\(reply.summary) (replayed: the key is spent; identifier dedups the re-post)")
        }
        switch await StripeInvoiceItems.find(lineKey: request.lineKey, customer: request.customer,
                                             destination: destination, http: http) {
        case .found(let id):
            return .delivered(remoteId: id)
        case .absent:
            logger.warning("Stripe replays a stored 500 for a line it never billed; moving it to a new key", metadata: [
                "line": "\(request.lineKey)", "key": "\(document.idempotencyKey)", "new_key": "\(newKey)"])
            return .rekey(newKey: newKey, reason: "\(reply.summary) (replayed; no invoice item carries the line)")
        case .unknown(let reason, let after):
            return .retry(reason: "\(reply.summary) (replayed); reconciling failed: \(reason)", after: after)
        }
    }
}
