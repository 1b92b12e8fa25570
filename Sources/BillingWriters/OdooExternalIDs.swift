import MeteringCore

/// Odometer's idempotency anchors in Odoo: one `ir.model.data` row per invoice
/// (`odometer.inv_<hash of its anchor>` → the `account.move`), unique database-wide through
/// `ir_model_data_module_name_uniq_index`. The anchor is the document's idempotency key
/// (which names the destination, DESIGN §7); `anchors` maps invoice keys to it, and a key
/// without an entry is its own anchor.
///
/// Creating the row claims the invoice for the key; when two writers race, the unique index
/// picks one winner and the loser adopts the winner's invoice and drops its own draft. Stateless.
enum OdooExternalIDs {
    static let module = "odometer"

    /// `inv_` and 128 bits of SHA-256 of the key in hex: no spaces, fixed length.
    static func name(forKey key: String) -> String {
        "inv_" + StableHash.hex(StableHash.sha256(key)).prefix(32)
    }

    /// The move each key's external id points at, for the keys that have one.
    static func owners(of keys: [String], anchors: [String: String] = [:],
                       client: any OdooRPCClient) async throws(OdooError) -> [String: Int] {
        guard !keys.isEmpty else { return [:] }
        let keyByName = Dictionary(keys.map { (name(forKey: anchors[$0] ?? $0), $0) }, uniquingKeysWith: { first, _ in first })
        let records = try await client.searchRead(
            "ir.model.data",
            domain: [domainTerm("module", "=", .string(module)),
                     domainTerm("name", "in", .array(keyByName.keys.sorted().map(JSONValue.string)))],
            fields: ["name", "res_id"])
        var owners: [String: Int] = [:]
        for record in records {
            guard let name = record["name"]?.stringValue, let key = keyByName[name],
                  let moveID = record["res_id"]?.intValue else { continue }
            owners[key] = moveID
        }
        return owners
    }

    struct Claims {
        /// The move each key ends up with: its own candidate, or the winner's.
        var owners: [String: Int] = [:]
        /// This writer's drafts that lost a race and must be unlinked.
        var losers: [Int] = []
    }

    /// Creates the external ids for `candidates` (key → move) in one call. On the unique index
    /// violation another writer claimed some keys first: adopt their moves, then claim the rest.
    static func claim(_ candidates: [String: Int], anchors: [String: String] = [:],
                      client: any OdooRPCClient) async throws(OdooError) -> Claims {
        var claims = Claims()
        var unclaimed = candidates
        for _ in 0..<3 where !unclaimed.isEmpty {
            let entries = unclaimed.sorted { $0.key < $1.key }
            let vals = entries.map { key, moveID in
                JSONValue.object(["module": .string(module), "name": .string(name(forKey: anchors[key] ?? key)),
                                  "model": .string("account.move"), "res_id": .int(moveID),
                                  "noupdate": .bool(true)])
            }
            do {
                _ = try await client.create("ir.model.data", vals)
                claims.owners.merge(unclaimed) { _, new in new }
                return claims
            } catch let error where error.isExternalIDConflict {
                let winners = try await owners(of: entries.map(\.key), anchors: anchors, client: client)
                guard !winners.isEmpty else { throw error }
                for (key, winner) in winners {
                    if let mine = unclaimed.removeValue(forKey: key), mine != winner { claims.losers.append(mine) }
                    claims.owners[key] = winner
                }
            }
        }
        guard unclaimed.isEmpty else {
            throw .outcomeUnknown(reason: "external ids for \(unclaimed.count) invoices kept conflicting; will retry",
                                  retryAfter: nil)
        }
        return claims
    }
}
