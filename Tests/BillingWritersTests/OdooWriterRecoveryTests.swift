import BillingFakes
import Testing
@testable import BillingWriters
import MeteringCore

/// States a writer only meets after a crash or a race with another writer.
@Suite struct OdooWriterRecoveryTests {
    @Test func invoiceCreatedBeforeACrashIsAdoptedNotRecreated() async throws {
        try await OdooTestBed.run { bed in
            let document = invoice("acct-1", lines: [("seats", "4.00")])
            let orphan = try await createDraftAsIfCrashed(document, bed: bed)

            let outcomes = await bed.writer().deliver([document])

            #expect(outcomes[document.key] == .delivered(remoteId: String(orphan)))
            #expect(bed.fake.invoices().count == 1)
            #expect(bed.fake.externalIDs().values.sorted() == [orphan])
        }
    }

    @Test func losingDraftLeftByACrashedWriterIsRemoved() async throws {
        try await OdooTestBed.run { bed in
            let document = invoice("acct-1", lines: [("seats", "4.00")])
            let first = await bed.writer().deliver([document])
            _ = try await createDraftAsIfCrashed(document, bed: bed)
            #expect(bed.fake.duplicateRefs() == [document.key: 2])

            let second = await bed.writer().deliver([document])

            #expect(second == first)
            #expect(bed.fake.duplicateRefs().isEmpty)
            #expect(bed.fake.invoices().map(\.id) == [first[document.key]?.remoteID])
        }
    }

    @Test func writerLosingTheClaimAdoptsTheWinnersInvoice() async throws {
        try await OdooTestBed.run { bed in
            let document = invoice("acct-1", lines: [("seats", "4.00")])
            let winner = try await createDraftAsIfCrashed(document, bed: bed)
            let raw = try await bed.rawClient()
            _ = try await raw.create("ir.model.data", [.object([
                "module": .string("odometer"), "name": .string(OdooExternalIDs.name(forKey: document.key)),
                "model": .string("account.move"), "res_id": .int(winner)])])
            let loser = try await createDraftAsIfCrashed(document, bed: bed)

            let claims = try await OdooExternalIDs.claim([document.key: loser], client: raw)

            #expect(claims.owners == [document.key: winner])
            #expect(claims.losers == [loser])
        }
    }

    @Test func twoWritersRacingOnTheSameBatchBillOnce() async throws {
        try await OdooTestBed.run { bed in
            let documents = tenInvoices()

            async let left = bed.writer().deliver(documents)
            async let right = bed.writer().deliver(documents)
            let (a, b) = await (left, right)

            #expect(a == b)
            #expect(documents.allSatisfy { a[$0.key]?.remoteID != nil })
            #expect(bed.fake.duplicateRefs().isEmpty)
            #expect(bed.fake.invoices().count == 10)
        }
    }

    @Test func duplicateKeysInOneBatchGiveOneInvoice() async throws {
        try await OdooTestBed.run { bed in
            let document = invoice("acct-1", lines: [("seats", "4.00")])

            let outcomes = await bed.writer().deliver([document, document])

            #expect(outcomes.count == 1)
            #expect(bed.fake.invoices().count == 1)
        }
    }

    /// A draft carrying the document's key but no external id: what a writer leaves when it dies
    /// between `create` and the claim.
    private func createDraftAsIfCrashed(_ document: InvoiceDocument, bed: OdooTestBed) async throws -> Int {
        let raw = try await bed.rawClient()
        let partner = try #require(try await raw.searchRead("res.partner", domain: [domainTerm("ref", "=", .string("ACME"))],
                                                            fields: ["id"]).first?["id"]?.intValue)
        let ids = try await raw.create("account.move", [.object([
            "move_type": .string("out_invoice"), "partner_id": .int(partner),
            "ref": .string(document.key), "invoice_origin": .string(document.key),
            "invoice_line_ids": .array([.array([.int(0), .int(0), .object([
                "name": .string("seats"), "quantity": .int(1), "price_unit": .number("4.00"),
                "tax_ids": .array([.array([.int(6), .int(0), .array([])])])])])]),
        ])])
        return ids[0]
    }
}
