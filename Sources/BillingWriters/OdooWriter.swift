public import AsyncHTTPClient
public import Logging
public import MeteringCore

/// Delivers invoices to Odoo as draft customer invoices (`account.move`), optionally posted.
///
/// Guarantees, per the Odoo contract: an invoice is created at most once per key, whatever
/// retries, timeouts, crashes or concurrent writers happen (search by `invoice_origin` before
/// create, claim with a unique `ir.model.data` external id); Odoo's total equals the rated total
/// to the minor unit or the invoice fails naming both figures; one invalid invoice never blocks
/// the rest of its batch. Speaks JSON-RPC and JSON-2 behind one client interface.
///
/// Every RPC call passes the destination's gate (token bucket, breaker, 429 pause), so the
/// rounds it retries after a transient error are paced like any call; once the gate closes for
/// longer than a moment, the round stops and the invoices go back to the outbox's backoff.
///
/// Thread-safe (an actor). It caches the session (protocol, uid, line precision) and drops it
/// when Odoo rejects the key. It borrows the `HTTPClient`; the caller owns its lifecycle.
public actor OdooWriter: InvoiceWriter {
    public nonisolated let destinationName: String
    private let destination: OdooDestination
    private let transport: OdooHTTPTransport
    private let logger: Logger
    private let roundsPerDelivery: Int
    private var session: OdooSession?

    /// - Parameters:
    ///   - pacer: the destination's gate; by default one at ``OdooDestination/defaultRateLimitPerSecond``.
    ///   - roundsPerDelivery: how many times one `deliver` call runs the algorithm from the search
    ///     after transient errors before it returns `.retry`.
    public init(destination: OdooDestination, httpClient: HTTPClient = .shared,
                pacer: (any CallPacer)? = nil,
                logger: Logger = Logger(label: "odometer.billing.odoo"), roundsPerDelivery: Int = 4) {
        self.destinationName = destination.description
        self.destination = destination
        self.transport = OdooHTTPTransport(http: PacedHTTP(
            client: httpClient, timeout: destination.timeout,
            pacer: pacer ?? DeliveryGate(ratePerSecond: OdooDestination.defaultRateLimitPerSecond)))
        self.logger = logger
        self.roundsPerDelivery = max(1, roundsPerDelivery)
    }

    public func deliver(_ documents: [InvoiceDocument]) async -> [String: DeliveryOutcome] {
        var rejected: [String: DeliveryOutcome] = [:]
        var pending: [OdooDelivery.PendingInvoice] = []
        for document in documents where rejected[document.key] == nil
            && !pending.contains(where: { $0.document.key == document.key }) {
            do {
                pending.append(.init(document: document, ratedTotal: try document.ratedTotal()))
            } catch {
                rejected[document.key] = .failed(reason: error.reason)
            }
        }
        var delivery = OdooDelivery(pending: pending, destination: destination, logger: logger)
        var lastError: OdooError?
        for round in 1...roundsPerDelivery where !delivery.pending.isEmpty {
            do {
                try await delivery.runRound(try await openSession())
            } catch .paused(let reopensIn) {
                // Nothing was sent: leave the rest to the outbox's backoff instead of waiting here.
                lastError = lastError ?? .paused(reopensIn: reopensIn)
                if case .outcomeUnknown(let reason, let hint)? = lastError {
                    lastError = .outcomeUnknown(reason: reason, retryAfter: max(hint ?? .zero, reopensIn))
                }
                break
            } catch let error where error.isTransient {
                lastError = error
                logger.warning("Odoo delivery round failed; searching again before any create", metadata: [
                    "destination": "\(destinationName)", "round": "\(round)", "error": "\(error.reason)"])
            } catch {
                if error == .rejectedCredentials { session = nil }
                delivery.settleAll(.failed(reason: error.reason))
            }
        }
        if let lastError {
            delivery.settleAll(.retry(reason: lastError.reason, after: lastError.retryAfter))
        }
        return delivery.outcomes.merging(rejected) { _, local in local }
    }

    private func openSession() async throws(OdooError) -> OdooSession {
        if let session { return session }
        let opened = try await OdooSession.open(destination, transport: transport)
        logger.info("connected to Odoo", metadata: [
            "destination": "\(destinationName)", "protocol": "\(opened.client.protocolName)",
            "price_unit_digits": "\(opened.precision.priceUnitDigits.map(String.init) ?? "unrounded")"])
        session = opened
        return opened
    }
}
