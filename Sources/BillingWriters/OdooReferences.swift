/// The Odoo records a batch of invoices points at (customers, products, currencies), looked up
/// with one search per model, and the ids an invoice needs, or why it cannot be written.
///
/// Built fresh for every round of a delivery; a value type.
struct OdooReferences: Sendable {
    struct Currency: Sendable {
        var id: Int
        var decimalPlaces: Int?
    }

    private(set) var partners: [String: Lookup<Int>] = [:]
    private(set) var products: [String: Lookup<Int>] = [:]
    private(set) var currencies: [String: Lookup<Currency>] = [:]

    static func lookUp(for documents: [InvoiceDocument], client: any OdooRPCClient,
                       createPartners: Bool) async throws(OdooError) -> OdooReferences {
        var references = OdooReferences()
        let refs = Set(documents.compactMap(\.odooPartnerRef)).sorted()
        var partnerIDs = try await ids(client, model: "res.partner", field: "ref", values: refs)
        if createPartners {
            let created = try await createPartnersMissing(from: partnerIDs, documents: documents, client: client)
            partnerIDs.merge(created) { _, new in new }
        }
        references.partners = lookups(partnerIDs, noun: "customer (res.partner) with ref",
                                      missingFix: "create it, fix the account's odooPartnerRef, or set createPartners: true",
                                      duplicateFix: "give each customer its own ref")
        let meters = Set(documents.flatMap { $0.lines.map(\.meter) }).sorted()
        let productIDs = try await ids(client, model: "product.product", field: "default_code", values: meters)
        references.products = lookups(productIDs, noun: "product with Internal Reference (default_code)",
                                      missingFix: "create a product for this meter",
                                      duplicateFix: "archive all but one")
        references.currencies = try await currencies(Set(documents.map(\.currency)).sorted(), client: client)
        return references
    }

    /// The ids of the records whose `field` equals each of `values` (an empty list when none).
    private static func ids(_ client: any OdooRPCClient, model: String, field: String,
                            values: [String]) async throws(OdooError) -> [String: [Int]] {
        guard !values.isEmpty else { return [:] }
        let domain = [domainTerm(field, "in", .array(values.map(JSONValue.string)))]
        var found = Dictionary(uniqueKeysWithValues: values.map { ($0, [Int]()) })
        for record in try await client.searchRead(model, domain: domain, fields: ["id", field]) {
            guard let value = record[field]?.stringValue, let id = record["id"]?.intValue else { continue }
            found[value, default: []].append(id)
        }
        return found
    }

    /// Exactly one record per value is usable; none or several is a problem the user must fix.
    private static func lookups(_ found: [String: [Int]], noun: String, missingFix: String,
                                duplicateFix: String) -> [String: Lookup<Int>] {
        var result: [String: Lookup<Int>] = [:]
        for (value, ids) in found {
            let ids = ids.sorted()
            switch ids.count {
            case 0:
                result[value] = .unusable("Odoo has no \(noun) \"\(value)\": \(missingFix)")
            case 1:
                result[value] = .found(ids[0])
            default:
                let list = ids.map(String.init).joined(separator: ", ")
                result[value] = .unusable("Odoo has \(ids.count) records of \(noun) \"\(value)\" (ids \(list)): \(duplicateFix)")
            }
        }
        return result
    }

    /// Creates a partner named after the account for each ref that has none.
    private static func createPartnersMissing(from found: [String: [Int]], documents: [InvoiceDocument],
                                              client: any OdooRPCClient) async throws(OdooError) -> [String: [Int]] {
        var missing: [(ref: String, account: String)] = []
        for document in documents {
            guard let ref = document.odooPartnerRef, found[ref]?.isEmpty ?? true,
                  !missing.contains(where: { $0.ref == ref }) else { continue }
            missing.append((ref, document.account))
        }
        guard !missing.isEmpty else { return [:] }
        let vals = missing.map { JSONValue.object(["name": .string($0.account), "ref": .string($0.ref)]) }
        let ids = try await client.create("res.partner", vals)
        return Dictionary(uniqueKeysWithValues: zip(missing.map(\.ref), ids.map { [$0] }))
    }

    /// Active currencies by name; a missing one is searched again with `active_test: false` to
    /// tell "inactive" (activate it) from "missing".
    private static func currencies(_ names: [String],
                                   client: any OdooRPCClient) async throws(OdooError) -> [String: Lookup<Currency>] {
        guard !names.isEmpty else { return [:] }
        let fields = ["id", "name", "decimal_places", "active"]
        let domain = [domainTerm("name", "in", .array(names.map(JSONValue.string)))]
        var result: [String: Lookup<Currency>] = [:]
        for record in try await client.searchRead("res.currency", domain: domain, fields: fields) {
            guard let name = record["name"]?.stringValue, let id = record["id"]?.intValue else { continue }
            result[name] = .found(Currency(id: id, decimalPlaces: record["decimal_places"]?.intValue))
        }
        let missing = names.filter { result[$0] == nil }
        guard !missing.isEmpty else { return result }
        let hidden = try await client.searchRead("res.currency",
                                                 domain: [domainTerm("name", "in", .array(missing.map(JSONValue.string)))],
                                                 fields: fields, context: ["active_test": .bool(false)])
        let inactive = Set(hidden.compactMap { $0["name"]?.stringValue })
        for name in missing {
            result[name] = inactive.contains(name)
                ? .unusable("Odoo's currency \(name) is inactive: activate it (Accounting > Configuration > Currencies)")
                : .unusable("Odoo has no currency \(name): add it (Accounting > Configuration > Currencies)")
        }
        return result
    }
}
