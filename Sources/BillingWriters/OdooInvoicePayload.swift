/// The `account.move` values that create one ``InvoiceDocument`` as a draft customer invoice.
///
/// Each rated line goes out as `quantity: 1` and `price_unit: <amount>`, the amount written as
/// the exact JSON number literal, so Odoo's subtotal (`quantity × price_unit`, rounded to the
/// currency) is the rated amount whatever the pricing. The metered quantity, period and pricing
/// travel in the line's `name`. `tax_ids: [[6,0,[]]]` on every line stops Odoo from adding the
/// product's default taxes. `ref` and `invoice_origin` carry the key the writer searches by.
enum OdooInvoicePayload {
    static func vals(for document: InvoiceDocument, references: OdooReferences,
                     precision: OdooLinePrecision) throws(InvoiceProblem) -> JSONValue {
        guard let ref = document.odooPartnerRef else {
            throw InvoiceProblem("account \(document.account) has no odooPartnerRef: set it to the customer's ref in Odoo")
        }
        let partnerID = try references.partners[ref].required("customer \(ref)")
        let currency = try references.currencies[document.currency].required("currency \(document.currency)")
        if let places = currency.decimalPlaces, places < document.currencyMinorUnits {
            let factor = "0." + String(repeating: "0", count: document.currencyMinorUnits - 1) + "1"
            throw InvoiceProblem("Odoo's currency \(document.currency) rounds to \(places) decimals but Odometer bills "
                + "\(document.currencyMinorUnits): set its rounding factor to \(factor)")
        }
        if let problem = precision.problem(currency: document.currency, minorUnits: document.currencyMinorUnits) {
            throw InvoiceProblem(problem)
        }
        var lines: [JSONValue] = []
        for line in document.lines {
            let productID = try references.products[line.meter].required("product \(line.meter)")
            guard let price = JSONValue.decimal(line.amount) else {
                throw InvoiceProblem("line \(line.lineKey): amount \"\(line.amount)\" is not a decimal number")
            }
            let values: JSONValue = .object([
                "product_id": .int(productID),
                "name": .string(line.description),
                "quantity": .int(1),
                "price_unit": price,
                "tax_ids": .array([.array([.int(6), .int(0), .array([])])]),
            ])
            lines.append(.array([.int(0), .int(0), values]))
        }
        return .object([
            "move_type": .string("out_invoice"),
            "partner_id": .int(partnerID),
            "invoice_date": .string(document.invoiceDate),
            "currency_id": .int(currency.id),
            "ref": .string(document.key),
            "invoice_origin": .string(document.key),
            "invoice_line_ids": .array(lines),
        ])
    }
}
