import Logging
import MeteringCore

/// One `deliver` call to Odoo: the invoices not yet settled and the outcomes so far.
///
/// Each round runs the contract's algorithm from the top: search by key, create what is
/// missing (isolating invalid invoices), claim external ids, verify totals, post. A round that
/// hits a transient error (unknown outcome, serialization failure) stops there; the next round
/// starts again from the search, so a create whose answer was lost is found, never repeated.
/// Owned by one task; a value type.
struct OdooDelivery {
    struct PendingInvoice {
        var document: InvoiceDocument
        var ratedTotal: MinorUnitAmount
    }

    private(set) var pending: [PendingInvoice]
    private(set) var outcomes: [String: DeliveryOutcome] = [:]
    /// Customers, products and currencies, looked up once per delivery for every pending invoice:
    /// a round retried after a transient error does not search them again.
    private var references: OdooReferences?
    let destination: OdooDestination
    let logger: Logger

    init(pending: [PendingInvoice], destination: OdooDestination, logger: Logger) {
        self.pending = pending
        self.destination = destination
        self.logger = logger
    }

    mutating func runRound(_ session: OdooSession) async throws(OdooError) {
        let client = session.client
        let anchors = Dictionary(pending.map { ($0.document.key, $0.document.idempotencyKey) },
                                 uniquingKeysWith: { first, _ in first })
        let existing = try await OdooExistingInvoices.find(keys: pending.map(\.document.key), anchors: anchors,
                                                           client: client)
        var owned: [String: Int] = [:]
        var toClaim: [String: Int] = [:]
        var absent: [InvoiceDocument] = []
        for invoice in pending {
            let key = invoice.document.key
            switch existing.states[key] ?? .absent {
            case .claimed(let moveID): owned[key] = moveID
            case .unclaimed(let moveID): toClaim[key] = moveID
            case .absent: absent.append(invoice.document)
            case .claimLost(let moveID):
                settle(key, .failed(reason: "Odoo invoice \(moveID), claimed by external id \(OdooExternalIDs.module)."
                    + "\(OdooExternalIDs.name(forKey: anchors[key] ?? key)) for \(key), is cancelled or no longer has invoice_origin \(key): "
                    + "restore it, or delete that external id to issue the invoice again"))
            }
        }
        try await unlink(existing.strayDrafts, client: client)
        toClaim.merge(try await create(absent, session: session)) { _, new in new }
        let claims = try await OdooExternalIDs.claim(toClaim, anchors: anchors, client: client)
        owned.merge(claims.owners) { _, new in new }
        // Never unlink a move some key ended up owning: a racing writer may have claimed the
        // draft this round took for a stray.
        let owners = Set(owned.values)
        try await unlink((claims.losers + existing.unclaimedStrayDrafts).filter { !owners.contains($0) }, client: client)
        try await verifyAndPost(owned, client: client)
    }

    /// Settles every pending invoice with the same outcome (a bad key, an unreachable URL).
    mutating func settleAll(_ outcome: DeliveryOutcome) {
        for invoice in pending { outcomes[invoice.document.key] = outcome }
        pending = []
    }

    private mutating func settle(_ key: String, _ outcome: DeliveryOutcome) {
        outcomes[key] = outcome
        pending.removeAll { $0.document.key == key }
    }

    /// Creates the absent invoices in one call, isolating the ones Odoo rejects.
    /// Returns key → new move id for those created.
    private mutating func create(_ documents: [InvoiceDocument],
                                 session: OdooSession) async throws(OdooError) -> [String: Int] {
        guard !documents.isEmpty else { return [:] }
        let references = try await references(session)
        var creatable: [(key: String, vals: JSONValue)] = []
        for document in documents {
            do {
                let vals = try OdooInvoicePayload.vals(for: document, references: references, precision: session.precision)
                creatable.append((document.key, vals))
            } catch {
                settle(document.key, .failed(reason: error.reason))
            }
        }
        let client = session.client
        let verdict = try await BatchIsolation.run(creatable) { batch throws(OdooError) in
            let ids = try await client.create("account.move", batch.map(\.vals))
            return Array(zip(batch.map(\.key), ids))
        }
        for (item, error) in verdict.rejected {
            settle(item.key, .failed(reason: "Odoo rejected invoice \(item.key): \(error.reason)"))
        }
        return Dictionary(verdict.succeeded, uniquingKeysWith: { first, _ in first })
    }

    private mutating func references(_ session: OdooSession) async throws(OdooError) -> OdooReferences {
        if let references { return references }
        let found = try await OdooReferences.lookUp(for: pending.map(\.document), client: session.client,
                                                    createPartners: destination.createPartners)
        references = found
        return found
    }

    /// Reads back each owned invoice, fails it when Odoo's total differs from the rated one,
    /// posts the drafts when the destination says so, and settles the rest as delivered.
    private mutating func verifyAndPost(_ owned: [String: Int], client: any OdooRPCClient) async throws(OdooError) {
        guard !owned.isEmpty else { return }
        let records = try await client.searchRead("account.move",
                                                  domain: [domainTerm("id", "in", .ints(owned.values.sorted()))],
                                                  fields: ["id", "amount_total", "state"])
        let byID = Dictionary(records.compactMap { record in record["id"]?.intValue.map { ($0, record) } },
                              uniquingKeysWith: { first, _ in first })
        var toPost: [(key: String, moveID: Int)] = []
        for invoice in pending {
            let key = invoice.document.key
            // Gone or cancelled since the search: the next round's search says what became of it.
            guard let moveID = owned[key], let record = byID[moveID],
                  record["state"]?.stringValue != "cancel" else { continue }
            let odooTotal = record["amount_total"]?.numberText ?? "missing"
            let expected = invoice.ratedTotal
            guard MinorUnitAmount(remote: odooTotal, minorDigits: expected.minorDigits) == expected else {
                settle(key, .failed(reason: "Odoo's invoice \(moveID) totals \(odooTotal) \(invoice.document.currency) "
                    + "but Odometer rated \(expected.text): Odoo changed the amounts (taxes or rounding); "
                    + "the invoice is left unposted for review"))
                continue
            }
            if destination.post && record["state"]?.stringValue == "draft" {
                toPost.append((key, moveID))
            } else {
                settle(key, .delivered(remoteId: String(moveID)))
            }
        }
        let verdict = try await BatchIsolation.run(toPost) { batch throws(OdooError) in
            _ = try await client.execute(.actionPost(ids: batch.map(\.moveID)))
            return batch
        }
        for posted in verdict.succeeded { settle(posted.key, .delivered(remoteId: String(posted.moveID))) }
        for (item, error) in verdict.rejected {
            settle(item.key, .failed(reason: "Odoo refused to post invoice \(item.moveID): \(error.reason); it stays in draft"))
        }
    }

    /// Removes this writer's surplus drafts. Odoo may refuse (already gone, or posted by a
    /// person meanwhile); that leaves nothing to bill twice, so it is logged, not failed.
    private func unlink(_ moveIDs: [Int], client: any OdooRPCClient) async throws(OdooError) {
        guard !moveIDs.isEmpty else { return }
        do {
            _ = try await client.execute(.unlink("account.move", ids: moveIDs))
        } catch let error where !error.isTransient {
            logger.warning("could not unlink surplus Odoo drafts", metadata: [
                "destination": "\(destination)", "ids": "\(moveIDs)", "error": "\(error.reason)"])
        }
    }
}
