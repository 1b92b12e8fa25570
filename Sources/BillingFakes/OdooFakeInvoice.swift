/// An invoice as the fake Odoo holds it, for tests to assert on. Amounts are exact decimal
/// text with the currency's digits (`"12.30"`). A value type.
public struct OdooFakeInvoice: Sendable, Hashable {
    public var id: Int
    public var ref: String?
    public var invoiceOrigin: String?
    public var partnerID: Int
    public var partnerRef: String?
    public var currency: String
    /// `draft`, `posted` or `cancel`.
    public var state: String
    public var invoiceDate: String?
    public var lines: [OdooFakeInvoiceLine]
    public var amountUntaxed: String
    public var amountTax: String
    public var amountTotal: String
}

/// One invoice line as stored, after Odoo's rounding. A value type.
public struct OdooFakeInvoiceLine: Sendable, Hashable {
    public var productCode: String?
    public var name: String
    public var quantity: String
    public var priceUnit: String
    public var subtotal: String
    public var taxPercents: [String]
}

extension OdooFakeDatabase {
    var invoiceSnapshots: [OdooFakeInvoice] {
        moves.values.sorted { $0.id < $1.id }.map { move in
            let digits = currencies[move.currencyID]?.digits ?? 2
            let lines = move.lines.map { line in
                OdooFakeInvoiceLine(productCode: line.productID.flatMap { products[$0]?.defaultCode },
                                    name: line.name, quantity: line.quantity.description,
                                    priceUnit: line.priceUnit.description, subtotal: line.subtotal.text(digits: digits),
                                    taxPercents: line.taxIDs.compactMap { taxes[$0]?.percent.description })
            }
            return OdooFakeInvoice(id: move.id, ref: move.ref, invoiceOrigin: move.invoiceOrigin,
                                   partnerID: move.partnerID, partnerRef: partners[move.partnerID]?.ref,
                                   currency: currencies[move.currencyID]?.name ?? "?", state: move.state,
                                   invoiceDate: move.invoiceDate, lines: lines,
                                   amountUntaxed: move.amountUntaxed.text(digits: digits),
                                   amountTax: move.amountTax.text(digits: digits),
                                   amountTotal: move.amountTotal.text(digits: digits))
        }
    }
}
