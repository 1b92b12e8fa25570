import Foundation

/// The rows the fake Odoo database holds, one struct per model, each able to show itself as
/// the field values `search_read` returns. Value types owned by ``OdooFakeDatabase``.
struct FakePartner: Sendable {
    var id: Int
    var name: String
    var ref: String?
    var active = true

    var fields: [String: FakeJSON] {
        ["id": .int(id), "name": .string(name), "display_name": .string(name),
         "ref": ref.map(FakeJSON.string) ?? .bool(false), "active": .bool(active)]
    }
}

struct FakeTax: Sendable {
    var id: Int
    var percent: Decimal

    var name: String { "\(percent)%" }

    var fields: [String: FakeJSON] {
        ["id": .int(id), "name": .string(name), "amount": .number(percent), "amount_type": .string("percent"),
         "type_tax_use": .string("sale"), "active": .bool(true)]
    }
}

struct FakeProduct: Sendable {
    var id: Int
    var defaultCode: String
    var name: String
    var taxIDs: [Int]
    var active = true

    var fields: [String: FakeJSON] {
        ["id": .int(id), "default_code": .string(defaultCode), "name": .string(name),
         "display_name": .string("[\(defaultCode)] \(name)"), "taxes_id": .ints(taxIDs), "active": .bool(active)]
    }
}

struct FakeCurrency: Sendable {
    var id: Int
    var name: String
    var digits: Int
    var active: Bool

    var fields: [String: FakeJSON] {
        ["id": .int(id), "name": .string(name), "decimal_places": .int(digits), "active": .bool(active),
         "rounding": .number(Decimal(sign: .plus, exponent: -digits, significand: 1))]
    }
}

struct FakePrecision: Sendable {
    var id: Int
    var name: String
    var digits: Int

    var fields: [String: FakeJSON] {
        ["id": .int(id), "name": .string(name), "digits": .int(digits)]
    }
}

struct FakeExternalID: Sendable {
    var id: Int
    var module: String
    var name: String
    var model: String
    var resID: Int

    var fields: [String: FakeJSON] {
        ["id": .int(id), "module": .string(module), "name": .string(name), "model": .string(model),
         "res_id": .int(resID), "complete_name": .string("\(module).\(name)")]
    }
}

struct FakeMoveLine: Sendable {
    var id: Int
    var productID: Int?
    var name: String
    /// As stored, after Odoo's rounding to "Product Unit of Measure".
    var quantity: Decimal
    /// As stored, after Odoo's rounding to "Product Price" (none in Odoo 19).
    var priceUnit: Decimal
    var taxIDs: [Int]
    /// `quantity × price_unit`, rounded to the currency.
    var subtotal: Decimal
    /// Sum of the line's taxes, each rounded to the currency (Odoo's round-per-line).
    var tax: Decimal
}

struct FakeMove: Sendable {
    var id: Int
    var name = "/"
    var moveType: String
    var state = "draft"
    var partnerID: Int
    var currencyID: Int
    var invoiceDate: String?
    var ref: String?
    var invoiceOrigin: String?
    var lines: [FakeMoveLine] = []
    var amountUntaxed: Decimal = 0
    var amountTax: Decimal = 0
    var amountTotal: Decimal = 0

    func fields(partnerName: String, currencyName: String) -> [String: FakeJSON] {
        ["id": .int(id), "name": .string(name), "display_name": .string(name), "move_type": .string(moveType),
         "state": .string(state), "partner_id": .many2one(partnerID, partnerName),
         "currency_id": .many2one(currencyID, currencyName),
         "invoice_date": invoiceDate.map(FakeJSON.string) ?? .bool(false),
         "ref": ref.map(FakeJSON.string) ?? .bool(false),
         "invoice_origin": invoiceOrigin.map(FakeJSON.string) ?? .bool(false),
         "invoice_line_ids": .ints(lines.map(\.id)), "amount_untaxed": .number(amountUntaxed),
         "amount_tax": .number(amountTax), "amount_total": .number(amountTotal)]
    }
}
