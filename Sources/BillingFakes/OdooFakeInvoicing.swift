import Foundation

/// `create`, `unlink` and `action_post` as Odoo does them, including its traps: `price_unit`
/// and `quantity` rounded on write, a product's default taxes on lines sent without `tax_ids`,
/// subtotals rounded to the currency, and the unique `(module, name)` of external ids.
extension OdooFakeDatabase {
    /// One dict returns an id, a list returns a list of ids (the endpoint adapts for JSON-2).
    mutating func create(_ call: FakeCall) throws(OdooFakeException) -> FakeJSON {
        guard let argument = call.arguments["vals_list"] else { throw .validation("create() needs vals_list") }
        let valsList = argument.arrayValue ?? [argument]
        var ids: [Int] = []
        for vals in valsList {
            guard let values = vals.objectValue else { throw .validation("create() takes dicts of values") }
            switch call.model {
            case "account.move": ids.append(try createMove(values))
            case "res.partner": ids.append(createPartner(values))
            default: ids.append(try createExternalID(values))
            }
        }
        return argument.arrayValue == nil ? .int(ids[0]) : .ints(ids)
    }

    private mutating func createPartner(_ values: [String: FakeJSON]) -> Int {
        let id = allocateID()
        partners[id] = FakePartner(id: id, name: values["name"]?.stringValue ?? "", ref: values["ref"]?.stringValue)
        return id
    }

    private mutating func createExternalID(_ values: [String: FakeJSON]) throws(OdooFakeException) -> Int {
        guard let module = values["module"]?.stringValue, let name = values["name"]?.stringValue,
              let model = values["model"]?.stringValue, let resID = values["res_id"]?.intValue else {
            throw .validation("ir.model.data needs module, name, model and res_id")
        }
        if name.contains(" ") { throw .validation("External IDs cannot contain spaces: \(name)") }
        if externalIDs.values.contains(where: { $0.module == module && $0.name == name }) {
            throw .validation("""
                duplicate key value violates unique constraint "ir_model_data_module_name_uniq_index"
                DETAIL:  Key (module, name)=(\(module), \(name)) already exists.

                """)
        }
        let id = allocateID()
        externalIDs[id] = FakeExternalID(id: id, module: module, name: name, model: model, resID: resID)
        return id
    }

    private mutating func createMove(_ values: [String: FakeJSON]) throws(OdooFakeException) -> Int {
        if let ref = values["ref"]?.stringValue, let message = rejectedRefs[ref] { throw .validation(message) }
        guard let partnerID = values["partner_id"]?.intValue, partners[partnerID] != nil else {
            throw .validation("The operation cannot be completed: the customer (partner_id) does not exist.")
        }
        let currencyID = values["currency_id"]?.intValue ?? companyCurrencyID
        guard let currency = currencies[currencyID] else {
            throw .validation("The operation cannot be completed: the currency (currency_id) does not exist.")
        }
        var move = FakeMove(id: allocateID(), moveType: values["move_type"]?.stringValue ?? "entry",
                            partnerID: partnerID, currencyID: currencyID,
                            invoiceDate: values["invoice_date"]?.stringValue, ref: values["ref"]?.stringValue,
                            invoiceOrigin: values["invoice_origin"]?.stringValue)
        for command in values["invoice_line_ids"]?.arrayValue ?? [] {
            guard let parts = command.arrayValue, parts.count == 3, parts[0].intValue == 0,
                  let lineValues = parts[2].objectValue else {
                throw .validation("invoice_line_ids takes [0, 0, {values}] commands on create")
            }
            move.lines.append(try makeLine(lineValues, currencyDigits: currency.digits))
        }
        move.amountUntaxed = move.lines.reduce(0) { $0 + $1.subtotal }
        move.amountTax = move.lines.reduce(0) { $0 + $1.tax }
        move.amountTotal = move.amountUntaxed + move.amountTax
        moves[move.id] = move
        return move.id
    }

    private mutating func makeLine(_ values: [String: FakeJSON], currencyDigits: Int) throws(OdooFakeException) -> FakeMoveLine {
        let productID = values["product_id"]?.intValue
        if let productID, products[productID] == nil {
            throw .validation("The operation cannot be completed: the product (product_id) \(productID) does not exist.")
        }
        let quantity = (values["quantity"]?.decimalValue ?? 1).rounded(toOptionalDigits: quantityDigits)
        let priceUnit = (values["price_unit"]?.decimalValue ?? 0).rounded(toOptionalDigits: priceUnitDigits)
        let taxIDs: [Int]
        if let commands = values["tax_ids"] {
            taxIDs = try applyMany2manyCommands(commands)
        } else {
            taxIDs = productID.flatMap { products[$0]?.taxIDs } ?? []
        }
        let subtotal = (quantity * priceUnit).rounded(digits: currencyDigits)
        let tax = taxIDs.compactMap { taxes[$0] }.reduce(Decimal(0)) { sum, tax in
            sum + (subtotal * tax.percent / 100).rounded(digits: currencyDigits)
        }
        return FakeMoveLine(id: allocateID(), productID: productID, name: values["name"]?.stringValue ?? "",
                            quantity: quantity, priceUnit: priceUnit, taxIDs: taxIDs, subtotal: subtotal, tax: tax)
    }

    /// `[[6, 0, ids]]` replaces, `[[4, id]]` adds, `[[5]]` clears, starting from no taxes.
    private func applyMany2manyCommands(_ commands: FakeJSON) throws(OdooFakeException) -> [Int] {
        var ids: [Int] = []
        for command in commands.arrayValue ?? [] {
            let parts = command.arrayValue ?? []
            switch parts.first?.intValue {
            case 6: ids = parts.count == 3 ? (parts[2].arrayValue ?? []).compactMap(\.intValue) : []
            case 4: if parts.count >= 2, let id = parts[1].intValue { ids.append(id) }
            case 5: ids = []
            default: throw .validation("Unsupported many2many command \(String(decoding: command.bytes, as: UTF8.self))")
            }
        }
        if let unknown = ids.first(where: { taxes[$0] == nil }) { throw missingRecord("account.tax", unknown) }
        return ids
    }

    mutating func unlinkMoves(_ ids: [Int]) throws(OdooFakeException) {
        for id in ids {
            guard let move = moves[id] else { throw missingRecord("account.move", id) }
            if move.state == "posted" {
                throw .user("You cannot delete an entry which has been posted once.")
            }
        }
        for id in ids { moves[id] = nil }
        externalIDs = externalIDs.filter { !($0.value.model == "account.move" && ids.contains($0.value.resID)) }
    }

    /// Checks every move first and raises one UserError joining every problem with newlines.
    mutating func post(_ ids: [Int]) throws(OdooFakeException) {
        var problems: [String] = []
        for id in ids {
            guard let move = moves[id] else { throw missingRecord("account.move", id) }
            if move.state != "draft" { problems.append("The entry \(move.name) (id \(id)) must be in draft.") }
            if move.lines.isEmpty { problems.append("You need to add a line before posting.") }
            if move.amountTotal < 0 {
                problems.append("You cannot validate an invoice with a negative total amount. "
                    + "You should create a credit note instead.")
            }
            if currencies[move.currencyID]?.active != true {
                problems.append("The currency \(currencies[move.currencyID]?.name ?? "?") is not active.")
            }
        }
        guard problems.isEmpty else { throw .user(problems.joined(separator: "\n")) }
        for id in ids {
            guard var move = moves[id] else { continue }
            postedCount += 1
            let sequence = String(postedCount)
            move.state = "posted"
            move.name = "INV/\(move.invoiceDate?.prefix(4) ?? "2026")/"
                + String(repeating: "0", count: max(0, 5 - sequence.count)) + sequence
            moves[id] = move
        }
    }
}

extension Decimal {
    fileprivate func rounded(toOptionalDigits digits: Int?) -> Decimal {
        digits.map { rounded(digits: $0) } ?? self
    }
}
