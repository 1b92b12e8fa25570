import Foundation

/// One ORM call as the fake receives it, whichever protocol carried it.
struct FakeCall: Sendable {
    var model: String
    var method: String
    var ids: [Int]
    var arguments: [String: FakeJSON]
    var context: [String: FakeJSON]

    /// Odoo hides archived records unless the context says `active_test: false`.
    var activeTest: Bool { context["active_test"]?.isTruthy ?? true }

    /// Positional parameters of the methods the fake knows, after `ids` for record methods, as
    /// JSON-RPC's `execute_kw` passes them.
    static let signatures: [String: (takesIDs: Bool, parameters: [String])] = [
        "search_read": (false, ["domain", "fields", "offset", "limit", "order"]),
        "search": (false, ["domain", "offset", "limit", "order"]),
        "search_count": (false, ["domain"]),
        "read": (true, ["fields"]),
        "create": (false, ["vals_list"]),
        "unlink": (true, []),
        "action_post": (true, []),
        "fields_get": (false, ["allfields", "attributes"]),
    ]
}

/// The fake Odoo database: every table, the precision settings and the ORM operations on them.
///
/// A value type, so a call runs on a copy that replaces the original only when the call
/// succeeds: every call is one all-or-nothing transaction, as in Odoo. Owned by ``OdooFake``,
/// which serializes access behind a mutex.
struct OdooFakeDatabase: Sendable {
    var nextID = 100
    var partners: [Int: FakePartner] = [:]
    var products: [Int: FakeProduct] = [:]
    var taxes: [Int: FakeTax] = [:]
    var currencies: [Int: FakeCurrency] = [:]
    var precisions: [Int: FakePrecision] = [:]
    var externalIDs: [Int: FakeExternalID] = [:]
    var moves: [Int: FakeMove] = [:]
    /// Digits Odoo rounds `price_unit` / `quantity` to on write; `nil` stores them unrounded.
    var priceUnitDigits: Int? = 2
    var quantityDigits: Int? = 2
    /// False simulates an Odoo whose `fields_get` does not show the rounding it applies.
    var reportsPrecision = true
    /// Invoice refs whose create raises a ValidationError with this message (fault injection).
    var rejectedRefs: [String: String] = [:]
    var companyCurrencyID = 0
    var postedCount = 0

    mutating func allocateID() -> Int {
        nextID += 1
        return nextID
    }

    mutating func execute(_ call: FakeCall) throws(OdooFakeException) -> FakeJSON {
        switch (call.model, call.method) {
        case (_, "search_read"):
            return .array(try search(call).map { project($0, fields: call.arguments["fields"]) })
        case (_, "search"):
            return .array(try search(call).compactMap { $0["id"] })
        case (_, "search_count"):
            return .int(try search(call).count)
        case (_, "read"):
            return .array(try read(call).map { project($0, fields: call.arguments["fields"]) })
        case ("account.move", "create"), ("res.partner", "create"), ("ir.model.data", "create"):
            return try create(call)
        case ("account.move", "unlink"):
            try unlinkMoves(call.ids)
            return .bool(true)
        case ("account.move", "action_post"):
            try post(call.ids)
            return .bool(false)
        case ("account.move.line", "fields_get"):
            return fieldsGet(call.arguments["allfields"])
        default:
            guard rows(of: call.model) != nil else { throw .unknownModel(call.model) }
            throw .unknownMethod(call.model, call.method)
        }
    }

    /// Every row of a model as field values, or `nil` for a model the fake does not have.
    func rows(of model: String) -> [[String: FakeJSON]]? {
        switch model {
        case "res.partner": return partners.values.map(\.fields)
        case "product.product": return products.values.map(\.fields)
        case "account.tax": return taxes.values.map(\.fields)
        case "res.currency": return currencies.values.map(\.fields)
        case "decimal.precision": return precisions.values.map(\.fields)
        case "ir.model.data": return externalIDs.values.map(\.fields)
        case "account.move":
            return moves.values.map(moveFields)
        case "account.move.line":
            return moves.values.flatMap { move in move.lines.map { line in lineFields(line, move: move) } }
        default: return nil
        }
    }

    private func lineFields(_ line: FakeMoveLine, move: FakeMove) -> [String: FakeJSON] {
        ["id": .int(line.id), "move_id": .many2one(move.id, move.name), "name": .string(line.name),
         "product_id": .many2one(line.productID, products[line.productID ?? 0]?.name ?? ""),
         "quantity": .number(line.quantity), "price_unit": .number(line.priceUnit),
         "price_subtotal": .number(line.subtotal), "tax_ids": .ints(line.taxIDs)]
    }

    /// The rows a search must look at: all of them, or, for the writer's searches by key
    /// (`account.move` by `id` or `invoice_origin`, `ir.model.data` by `name`, each `in` a list,
    /// in a domain of plain leaves), only those the key selects. The full domain is still
    /// checked on each, so this only saves building thousands of rows per call.
    private func candidateRows(_ model: String, domain: [FakeJSON]) -> [[String: FakeJSON]]? {
        let leaves = domain.compactMap(\.arrayValue)
        guard leaves.count == domain.count else { return rows(of: model) }
        for leaf in leaves where leaf.count == 3 && leaf[1] == .string("in") {
            let wanted = Set(leaf[2].arrayValue ?? [])
            switch (model, leaf[0].stringValue) {
            case ("account.move", "id"?):
                return moves.values.filter { wanted.contains(.int($0.id)) }.map(moveFields)
            case ("account.move", "invoice_origin"?):
                return moves.values.filter { $0.invoiceOrigin.map { wanted.contains(.string($0)) } ?? false }.map(moveFields)
            case ("ir.model.data", "name"?):
                return externalIDs.values.filter { wanted.contains(.string($0.name)) }.map(\.fields)
            default:
                continue
            }
        }
        return rows(of: model)
    }

    private func moveFields(_ move: FakeMove) -> [String: FakeJSON] {
        move.fields(partnerName: partners[move.partnerID]?.name ?? "", currencyName: currencies[move.currencyID]?.name ?? "")
    }

    private func search(_ call: FakeCall) throws(OdooFakeException) -> [[String: FakeJSON]] {
        let domain = call.arguments["domain"]?.arrayValue ?? []
        guard let rows = candidateRows(call.model, domain: domain) else { throw .unknownModel(call.model) }
        let hideArchived = call.activeTest && !FakeDomain.mentions("active", domain)
        var found: [[String: FakeJSON]] = []
        for row in rows.sorted(by: { ($0["id"]?.intValue ?? 0) < ($1["id"]?.intValue ?? 0) }) {
            if hideArchived && row["active"] == .bool(false) { continue }
            if try FakeDomain.matches(row, domain) { found.append(row) }
        }
        let offset = call.arguments["offset"]?.intValue ?? 0
        let limit = call.arguments["limit"]?.intValue ?? found.count
        return Array(found.dropFirst(offset).prefix(limit))
    }

    private func read(_ call: FakeCall) throws(OdooFakeException) -> [[String: FakeJSON]] {
        guard let rows = rows(of: call.model) else { throw .unknownModel(call.model) }
        let byID = Dictionary(rows.compactMap { row in row["id"]?.intValue.map { ($0, row) } },
                              uniquingKeysWith: { first, _ in first })
        return try call.ids.map { id throws(OdooFakeException) in
            guard let row = byID[id] else { throw missingRecord(call.model, id) }
            return row
        }
    }

    private func project(_ row: [String: FakeJSON], fields: FakeJSON?) -> FakeJSON {
        guard let names = fields?.arrayValue?.compactMap(\.stringValue), !names.isEmpty else { return .object(row) }
        var projected: [String: FakeJSON] = ["id": row["id"] ?? .bool(false)]
        for name in names { projected[name] = row[name] ?? .bool(false) }
        return .object(projected)
    }

    /// `digits: [16, N]` where Odoo rounds on write; no `digits` where it stores unrounded.
    private func fieldsGet(_ requested: FakeJSON?) -> FakeJSON {
        let digits = reportsPrecision
            ? ["price_unit": priceUnitDigits, "quantity": quantityDigits, "price_subtotal": nil]
            : ["price_unit": nil, "quantity": nil, "price_subtotal": nil]
        let names = requested?.arrayValue?.compactMap(\.stringValue) ?? Array(digits.keys)
        var result: [String: FakeJSON] = [:]
        for name in names {
            guard let fieldDigits = digits[name] else { continue }
            result[name] = .object(fieldDigits.map { ["digits": .ints([16, $0])] } ?? [:])
        }
        return .object(result)
    }

    func missingRecord(_ model: String, _ id: Int) -> OdooFakeException {
        .missing("Record does not exist or has been deleted.\n(Record: \(model)(\(id),), User: 2)")
    }
}
