import BillingFakes
import Testing
@testable import BillingWriters
import MeteringCore

/// The fake reproduces Odoo's traps, checked through the writer's own protocol clients.
@Suite struct OdooFakeTests {
    @Test func lineWithoutTaxIdsGetsTheProductsDefaultTax() async throws {
        try await OdooTestBed.run { bed in
            let raw = try await bed.rawClient()
            let product = try #require(try await raw.searchRead("product.product",
                                                                domain: [domainTerm("default_code", "=", .string("seats"))],
                                                                fields: ["id"]).first?["id"]?.intValue)
            let partner = try #require(try await raw.searchRead("res.partner", domain: [domainTerm("ref", "=", .string("ACME"))],
                                                                fields: ["id"]).first?["id"]?.intValue)

            _ = try await raw.create("account.move", [.object([
                "move_type": .string("out_invoice"), "partner_id": .int(partner), "ref": .string("taxed"),
                "invoice_line_ids": .array([.array([.int(0), .int(0), .object([
                    "product_id": .int(product), "name": .string("seats"), "quantity": .number("3"),
                    "price_unit": .number("3.335")])])]),
            ])])

            let stored = try #require(bed.fake.invoices().first)
            #expect(stored.lines.map(\.priceUnit) == ["3.34"])
            #expect(stored.amountUntaxed == "10.02")
            #expect(stored.amountTax == "1.00")
            #expect(stored.amountTotal == "11.02")
        }
    }

    @Test func jsonRPCErrorsArriveWithHTTP200AndTheirExceptionName() async throws {
        try await OdooTestBed.run { bed in
            let raw = try await bed.rawClient()
            let vals: JSONValue = .object(["module": .string("odometer"), "name": .string("inv_x"),
                                           "model": .string("account.move"), "res_id": .int(1)])
            _ = try await raw.create("ir.model.data", [vals])

            await #expect(throws: OdooError.remote(name: "odoo.exceptions.ValidationError", message: """
                duplicate key value violates unique constraint "ir_model_data_module_name_uniq_index"
                DETAIL:  Key (module, name)=(odometer, inv_x) already exists.

                """)) {
                _ = try await raw.create("ir.model.data", [vals])
            }
        }
    }

    @Test func createIsAllOrNothing() async throws {
        try await OdooTestBed.run { bed in
            let raw = try await bed.rawClient()
            let good: JSONValue = .object(["module": .string("odometer"), "name": .string("inv_a"),
                                           "model": .string("account.move"), "res_id": .int(1)])
            let spaced: JSONValue = .object(["module": .string("odometer"), "name": .string("inv b"),
                                             "model": .string("account.move"), "res_id": .int(2)])

            await #expect(throws: OdooError.remote(name: "odoo.exceptions.ValidationError",
                                                   message: "External IDs cannot contain spaces: inv b")) {
                _ = try await raw.create("ir.model.data", [good, spaced])
            }
            #expect(bed.fake.externalIDs().isEmpty)
        }
    }

    @Test func loginAnswersFalseForABadKey() async throws {
        try await OdooTestBed.run { bed in
            let transport = OdooHTTPTransport(client: .shared, timeout: .seconds(5))
            await #expect(throws: OdooError.rejectedCredentials) {
                _ = try await JSONRPCClient.login(bed.destination(apiKey: "wrong"), transport: transport)
            }
        }
    }

    @Test func json2CreateReturnsAListForOneDict() async throws {
        try await OdooTestBed.run { bed in
            let client = JSON2Client(transport: OdooHTTPTransport(client: .shared, timeout: .seconds(5)),
                                     destination: bed.destination(protocol: .json2))
            let result = try await client.execute(OdooCall(model: "res.partner", method: "create",
                                                           arguments: [("vals_list", .object(["name": .string("Solo")]))]))
            #expect(result.arrayValue?.count == 1)
        }
    }

    @Test func fieldsGetReportsTheConfiguredRounding() async throws {
        try await OdooTestBed.run { bed in
            let raw = try await bed.rawClient()
            let call = OdooCall.fieldsGet("account.move.line", fields: ["price_unit", "quantity"], attributes: ["digits"])
            let before = try await raw.execute(call)
            #expect(OdooLinePrecision(fieldsGet: before) == OdooLinePrecision(priceUnitDigits: 2, quantityDigits: 2))

            bed.fake.setPrecision(priceUnitDigits: nil, quantityDigits: 3)

            let after = try await raw.execute(call)
            #expect(OdooLinePrecision(fieldsGet: after) == OdooLinePrecision(priceUnitDigits: nil, quantityDigits: 3))
        }
    }
}
