/// How Odoo stores invoice line values, read from `fields_get` on `account.move.line`.
///
/// `nil` digits mean Odoo stores the value unrounded (Odoo 19's `price_unit`); `N` means every
/// write is rounded to N decimals (the "Product Price" decimal accuracy in Odoo 16–18).
struct OdooLinePrecision: Sendable, Equatable {
    var priceUnitDigits: Int?
    var quantityDigits: Int?

    init(priceUnitDigits: Int?, quantityDigits: Int?) {
        self.priceUnitDigits = priceUnitDigits
        self.quantityDigits = quantityDigits
    }

    /// `{"price_unit": {"digits": [16, 2]}, "quantity": {}}` → price 2, quantity unrounded.
    init(fieldsGet result: JSONValue) {
        priceUnitDigits = result["price_unit"]?["digits"]?.arrayValue?.last?.intValue
        quantityDigits = result["quantity"]?["digits"]?.arrayValue?.last?.intValue
    }

    /// Why an invoice in a currency with `minorUnits` decimals cannot be written exactly, if so.
    /// Lines go out as `quantity: 1`, so only `price_unit` must hold the amount's digits.
    func problem(currency: String, minorUnits: Int) -> String? {
        guard let digits = priceUnitDigits, digits < minorUnits else { return nil }
        return "Odoo rounds invoice line prices to \(digits) decimals but \(currency) amounts have \(minorUnits): "
            + "raise the \"Product Price\" decimal accuracy to at least \(minorUnits) "
            + "(Settings > Technical > Decimal Accuracy) so Odoo does not round the amounts"
    }
}

/// An authenticated connection to one Odoo database plus the facts read once per writer.
///
/// Opening it picks the protocol (`auto`: JSON-2 first, JSON-RPC when the server answers 404),
/// logs in where the protocol needs it, and detects the line precision. Immutable, thread-safe;
/// the writer drops it when Odoo rejects the key, so the next delivery logs in again.
struct OdooSession: Sendable {
    let client: any OdooRPCClient
    let precision: OdooLinePrecision

    static func open(_ destination: OdooDestination, transport: OdooHTTPTransport) async throws(OdooError) -> OdooSession {
        switch destination.protocol {
        case .jsonrpc:
            return try await detect(with: JSONRPCClient.login(destination, transport: transport))
        case .json2:
            return try await detect(with: JSON2Client(transport: transport, destination: destination))
        case .auto:
            do {
                return try await detect(with: JSON2Client(transport: transport, destination: destination))
            } catch .notFound {
                return try await detect(with: JSONRPCClient.login(destination, transport: transport))
            }
        }
    }

    private static func detect(with client: any OdooRPCClient) async throws(OdooError) -> OdooSession {
        let call = OdooCall.fieldsGet("account.move.line", fields: ["price_unit", "quantity"], attributes: ["digits"])
        let result = try await client.execute(call)
        return OdooSession(client: client, precision: OdooLinePrecision(fieldsGet: result))
    }
}
