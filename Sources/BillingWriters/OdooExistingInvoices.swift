/// What Odoo already holds for a set of invoice keys: step 1 of every delivery round.
///
/// Searches `account.move` by `invoice_origin` (customer invoices, not cancelled) and the
/// external ids of the keys, and says per key whether the invoice exists and is claimed,
/// exists unclaimed (a crash between create and claim), or must be created. A value type.
struct OdooExistingInvoices: Sendable {
    enum State: Sendable, Equatable {
        /// The key's external id points at a live invoice: it is delivered (pending verification).
        case claimed(moveID: Int)
        /// Live invoices carry the key but none is claimed yet: adopt `moveID`, then claim it.
        case unclaimed(moveID: Int)
        /// The external id points at an invoice that is cancelled or no longer carries the key.
        case claimLost(moveID: Int)
        /// Nothing in Odoo: create it.
        case absent
    }

    private(set) var states: [String: State] = [:]
    /// Extra drafts carrying a claimed key (a writer died before unlinking its losing draft).
    private(set) var strayDrafts: [Int] = []
    /// Extra drafts carrying an unclaimed key: unlinked only once the adopted one is claimed.
    private(set) var unclaimedStrayDrafts: [Int] = []

    static func find(keys: [String], anchors: [String: String] = [:],
                     client: any OdooRPCClient) async throws(OdooError) -> OdooExistingInvoices {
        // External ids first: a claim's move exists before the claim, so it is in the search of
        // moves that follows. Searched the other way round, a writer racing on the same key (a
        // lease that ran out) could create and claim a move in between, and the claim would look
        // lost.
        let owners = try await OdooExternalIDs.owners(of: keys, anchors: anchors, client: client)
        let moves = try await client.searchRead(
            "account.move",
            domain: [domainTerm("invoice_origin", "in", .array(keys.map(JSONValue.string))),
                     domainTerm("move_type", "=", .string("out_invoice")),
                     domainTerm("state", "!=", .string("cancel"))],
            fields: ["id", "invoice_origin", "state"])
        var movesByKey: [String: [(id: Int, state: String)]] = [:]
        for move in moves {
            guard let key = move["invoice_origin"]?.stringValue, let id = move["id"]?.intValue else { continue }
            movesByKey[key, default: []].append((id, move["state"]?.stringValue ?? "draft"))
        }
        var existing = OdooExistingInvoices()
        for key in keys {
            // A posted invoice is preferred over drafts, then the oldest.
            let live = (movesByKey[key] ?? []).sorted {
                ($0.state == "posted" ? 0 : 1, $0.id) < ($1.state == "posted" ? 0 : 1, $1.id)
            }
            if let owner = owners[key] {
                guard live.contains(where: { $0.id == owner }) else {
                    existing.states[key] = .claimLost(moveID: owner)
                    continue
                }
                existing.states[key] = .claimed(moveID: owner)
                existing.strayDrafts += live.filter { $0.id != owner && $0.state == "draft" }.map(\.id)
            } else if let adopted = live.first {
                existing.states[key] = .unclaimed(moveID: adopted.id)
                existing.unclaimedStrayDrafts += live.dropFirst().filter { $0.state == "draft" }.map(\.id)
            } else {
                existing.states[key] = .absent
            }
        }
        return existing
    }
}
