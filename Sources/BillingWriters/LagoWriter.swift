public import AsyncHTTPClient
public import Logging
public import MeteringCore

/// Delivers rated lines to Lago as usage events (shared/contracts/lago.md).
///
/// Guarantees:
/// - Events go in batches of at most 100, each with `transaction_id` = the document's
///   idempotency key, so a resend is a duplicate Lago drops (`value_already_exist`, or a
///   silent 200 in newer ingestion); both count as delivered.
/// - A batch is all or nothing: on an index-keyed 422 the offending events are marked
///   `failed` with Lago's field errors verbatim and the rest are sent again at once.
/// - After an unknown outcome (timeout, dropped connection) each event is looked up with
///   `GET /api/v1/events/{transaction_id}`: found is delivered, absent goes back to the outbox.
/// - `precise_total_amount_cents` carries the rated amount. Lago versions that drop it from
///   batches silently would bill nothing: the first delivered event is read back, and if the
///   field is gone those events fail with the fix and nothing more is sent.
/// - Every request passes the destination's gate (token bucket, breaker, 429 pause on
///   `X-RateLimit-Reset`).
///
/// Thread-safe (an actor, for the one-time amount check). Borrows the `HTTPClient`.
public actor LagoWriter: InvoiceWriter {
    public nonisolated let destinationName: String
    private let destination: LagoDestination
    private let http: PacedHTTP
    private let logger: Logger
    /// nil until one delivered event has been read back.
    private var keepsPreciseAmounts: Bool?

    public init(destination: LagoDestination, httpClient: HTTPClient = .shared, pacer: (any CallPacer)? = nil,
                logger: Logger = Logger(label: "odometer.billing.lago")) {
        self.destinationName = destination.description
        self.destination = destination
        self.http = PacedHTTP(client: httpClient, timeout: destination.timeout,
                              pacer: pacer ?? DeliveryGate(ratePerSecond: LagoDestination.defaultRateLimitPerSecond))
        self.logger = logger
    }

    static let droppedAmountsFix = "this Lago drops precise_total_amount_cents from batched events, so Lago would bill "
        + "these lines without their amounts: upgrade Lago to a version whose /events/batch accepts the field, void "
        + "the events it stored, then `odometer deliveries retry`"

    public func deliver(_ documents: [InvoiceDocument]) async -> [String: DeliveryOutcome] {
        var outcomes: [String: DeliveryOutcome] = [:]
        var events: [LagoEvent] = []
        for document in documents where outcomes[document.key] == nil && !events.contains(where: { $0.documentKey == document.key }) {
            do {
                events.append(try LagoEvent(document: document))
            } catch {
                outcomes[document.key] = .failed(reason: error.reason)
            }
        }
        var start = 0
        while start < events.count {
            let batch = Array(events[start..<min(start + LagoDestination.maximumBatch, events.count)])
            start += batch.count
            if keepsPreciseAmounts == false {
                for event in batch { outcomes[event.documentKey] = .failed(reason: Self.droppedAmountsFix) }
                continue
            }
            outcomes.merge(await send(batch)) { _, new in new }
        }
        return outcomes
    }

    /// One batch, sent again without the events Lago refused until it goes through.
    private func send(_ batch: [LagoEvent]) async -> [String: DeliveryOutcome] {
        var outcomes: [String: DeliveryOutcome] = [:]
        var remaining = batch
        while !remaining.isEmpty {
            let body = JSONText.bytes(of: .object(["events": .array(remaining.map(\.json))]))
            let response: PacedHTTP.Response
            do {
                response = try await http.send(.POST, destination.url + "/api/v1/events/batch", headers: [
                    ("Authorization", "Bearer \(destination.apiKey)"), ("Content-Type", "application/json"),
                    ("Accept", "application/json"),
                ], body: body)
            } catch {
                switch error {
                case .gateClosed(let reopensIn):
                    return outcomes.merging(settle(remaining, .retry(
                        reason: "Lago calls are paused for \(reopensIn) (breaker open or rate limited)", after: reopensIn))) { _, new in new }
                case .unknownOutcome(let reason):
                    return outcomes.merging(await lookUp(remaining, after: "Lago: \(reason)")) { _, new in new }
                }
            }
            let parsed = JSONValue.parse(response.body)
            switch response.status {
            case 200...299:
                var ids: [String: String] = [:]
                for event in parsed?["events"]?.arrayValue ?? [] {
                    if let transaction = event["transaction_id"]?.stringValue, let id = event["lago_id"]?.stringValue {
                        ids[transaction] = id
                    }
                }
                for event in remaining {
                    outcomes[event.documentKey] = .delivered(remoteId: ids[event.transactionID] ?? event.transactionID)
                }
                await checkPreciseAmounts(remaining, outcomes: &outcomes)
                return outcomes
            case 422:
                let refused = refusals(parsed?["error_details"], in: remaining)
                guard !refused.isEmpty else {
                    return outcomes.merging(settle(remaining, .failed(
                        reason: "Lago refused the batch (422): \(response.text)"))) { _, new in new }
                }
                for (index, outcome) in refused { outcomes[remaining[index].documentKey] = outcome }
                remaining = remaining.indices.filter { refused[$0] == nil }.map { remaining[$0] }
            case 401:
                return outcomes.merging(settle(remaining, .failed(
                    reason: "Lago answered 401 (\(response.text)): it rejected the API key; check the destination's apiKey"))) { _, new in new }
            case 429, 500...599:
                return outcomes.merging(settle(remaining, .retry(
                    reason: "Lago answered \(response.status): \(response.text)", after: response.retryAfter))) { _, new in new }
            default:
                return outcomes.merging(settle(remaining, .failed(
                    reason: "Lago answered \(response.status): \(response.text)"))) { _, new in new }
            }
        }
        return outcomes
    }

    /// Index-keyed 422 details → the outcome of each event they name: a duplicate
    /// `transaction_id` is delivered, anything else fails with Lago's errors verbatim. A lone
    /// event's errors may come unkeyed.
    private func refusals(_ details: JSONValue?, in events: [LagoEvent]) -> [Int: DeliveryOutcome] {
        guard case .object(let members)? = details else { return [:] }
        var refused: [Int: DeliveryOutcome] = [:]
        for (key, errors) in members {
            guard let index = Int(key), events.indices.contains(index) else { continue }
            refused[index] = outcome(of: errors, for: events[index])
        }
        if refused.isEmpty, events.count == 1, members["transaction_id"] != nil {
            refused[0] = outcome(of: .object(members), for: events[0])
        }
        return refused
    }

    private func outcome(of errors: JSONValue, for event: LagoEvent) -> DeliveryOutcome {
        if case .object(let fields) = errors, fields.count == 1,
           fields["transaction_id"]?.arrayValue == [.string("value_already_exist")] {
            return .delivered(remoteId: event.transactionID)
        }
        return .failed(reason: "Lago refused event \(event.transactionID) (422 validation_errors): \(JSONText.string(of: errors))")
    }

    /// After an unknown outcome: each event Lago holds is delivered, the others are sent again later.
    private func lookUp(_ events: [LagoEvent], after reason: String) async -> [String: DeliveryOutcome] {
        await withTaskGroup(of: (String, DeliveryOutcome).self) { group in
            var outcomes: [String: DeliveryOutcome] = [:]
            var next = events.makeIterator()
            let lookUpOne: @Sendable (LagoEvent) async -> (String, DeliveryOutcome) = { [http, destination] event in
                switch await Self.stored(event.transactionID, destination: destination, http: http) {
                case .found(let stored):
                    return (event.documentKey, .delivered(remoteId: stored["lago_id"]?.stringValue ?? event.transactionID))
                case .absent:
                    return (event.documentKey, .retry(reason: "\(reason); Lago holds no event \(event.transactionID)", after: nil))
                case .unknown(let why, let after):
                    return (event.documentKey, .retry(reason: "\(reason); looking it up failed: \(why)", after: after))
                }
            }
            for _ in 0..<destination.concurrency {
                guard let event = next.next() else { break }
                group.addTask { await lookUpOne(event) }
            }
            for await (key, outcome) in group {
                outcomes[key] = outcome
                if let event = next.next() { group.addTask { await lookUpOne(event) } }
            }
            return outcomes
        }
    }

    /// Reads back the first delivered event once: an old Lago drops `precise_total_amount_cents`
    /// from batches without a word, and every later event would be billed without its amount.
    private func checkPreciseAmounts(_ events: [LagoEvent], outcomes: inout [String: DeliveryOutcome]) async {
        guard keepsPreciseAmounts == nil, let first = events.first else { return }
        guard case .found(let stored) = await Self.stored(first.transactionID, destination: destination, http: http) else {
            return
        }
        let kept = stored["precise_total_amount_cents"].flatMap { $0.stringValue ?? $0.numberText }
        guard let kept, let keptValue = ExactDecimal(kept), keptValue == ExactDecimal(first.preciseTotalAmountCents) else {
            keepsPreciseAmounts = false
            logger.error("Lago dropped precise_total_amount_cents", metadata: ["destination": "\(destinationName)",
                                                                                "event": "\(first.transactionID)"])
            for event in events { outcomes[event.documentKey] = .failed(reason: Self.droppedAmountsFix) }
            return
        }
        keepsPreciseAmounts = true
    }

    private func settle(_ events: [LagoEvent], _ outcome: DeliveryOutcome) -> [String: DeliveryOutcome] {
        Dictionary(events.map { ($0.documentKey, outcome) }, uniquingKeysWith: { first, _ in first })
    }

    enum Stored: Sendable {
        case found(JSONValue)
        case absent
        case unknown(String, after: Duration?)
    }

    /// `GET /api/v1/events/{transaction_id}`.
    static func stored(_ transactionID: String, destination: LagoDestination, http: PacedHTTP) async -> Stored {
        let url = destination.url + "/api/v1/events/" + FormEncoding.escape(transactionID)
        do {
            let response = try await http.send(.GET, url, headers: [("Authorization", "Bearer \(destination.apiKey)"),
                                                                   ("Accept", "application/json")])
            switch response.status {
            case 200:
                guard let event = JSONValue.parse(response.body)?["event"] else {
                    return .unknown("unreadable answer: \(response.text)", after: nil)
                }
                return .found(event)
            case 404:
                return .absent
            default:
                return .unknown("Lago answered \(response.status): \(response.text)", after: response.retryAfter)
            }
        } catch {
            switch error {
            case .gateClosed(let reopensIn): return .unknown("Lago calls are paused for \(reopensIn)", after: reopensIn)
            case .unknownOutcome(let reason): return .unknown(reason, after: nil)
            }
        }
    }
}
