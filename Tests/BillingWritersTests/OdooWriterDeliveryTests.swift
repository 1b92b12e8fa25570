import BillingFakes
import Testing
@testable import BillingWriters
import MeteringCore

@Suite struct OdooWriterDeliveryTests {
    @Test func deliversEachInvoiceOnceAndRedeliveryReturnsTheSameIds() async throws {
        try await OdooTestBed.run { bed in
            let documents = tenInvoices()
            let writer = bed.writer()
            let first = await writer.deliver(documents)
            let ids = documents.map { first[$0.key]?.remoteID }
            #expect(ids.allSatisfy { $0 != nil })
            #expect(Set(ids).count == 10)
            let creates = bed.fake.callCount(model: "account.move", method: "create")

            let second = await bed.writer().deliver(documents)

            #expect(second == first)
            #expect(bed.fake.callCount(model: "account.move", method: "create") == creates)
            #expect(bed.fake.invoices().count == 10)
            #expect(bed.fake.duplicateRefs().isEmpty)
            for document in documents {
                let stored = bed.fake.invoices().first { $0.id == first[document.key]?.remoteID }
                #expect(stored?.ref == document.key)
                #expect(stored?.invoiceOrigin == document.key)
                #expect(stored?.state == "draft")
            }
        }
    }

    @Test func odooTotalEqualsTheRatedAmountsDespiteProductDefaultTaxes() async throws {
        try await OdooTestBed.run { bed in
            let document = invoice("acct-42", lines: [("api_tokens", "1250.00"), ("storage_gb", "0.01"),
                                                      ("seats", "3.33"), ("api_tokens", "0.07")])

            let outcomes = await bed.writer().deliver([document])

            let stored = try #require(bed.fake.invoices().first { $0.id == outcomes[document.key]?.remoteID })
            #expect(stored.amountUntaxed == "1253.41")
            #expect(stored.amountTax == "0.00")
            #expect(stored.amountTotal == "1253.41")
            #expect(stored.lines.map(\.priceUnit) == ["1250", "0.01", "3.33", "0.07"])
            #expect(stored.lines.map(\.quantity) == ["1", "1", "1", "1"])
            #expect(stored.lines.allSatisfy { $0.taxPercents.isEmpty })
            #expect(stored.lines[0].name == "api_tokens 2026-11: 1250000 units, graduated")
            #expect(stored.lines.map(\.productCode) == ["api_tokens", "storage_gb", "seats", "api_tokens"])
            #expect(stored.partnerRef == "ACME")
            #expect(stored.invoiceDate == "2026-11-30")
        }
    }

    @Test func postsVerifiedDraftsWhenConfigured() async throws {
        try await OdooTestBed.run { bed in
            let documents = Array(tenInvoices().prefix(3))

            let outcomes = await bed.writer(bed.destination(post: true)).deliver(documents)

            #expect(documents.allSatisfy { outcomes[$0.key]?.remoteID != nil })
            #expect(bed.fake.invoices().map(\.state) == ["posted", "posted", "posted"])
            let again = await bed.writer(bed.destination(post: true)).deliver(documents)
            #expect(again == outcomes)
            #expect(bed.fake.callCount(model: "account.move", method: "action_post") == 1)
        }
    }

    @Test func postingRefusalFailsOnlyThatInvoiceWithOdoosMessage() async throws {
        try await OdooTestBed.run { bed in
            let good = invoice("acct-1", lines: [("seats", "10.00")])
            let negative = invoice("acct-2", lines: [("seats", "-5.00")])

            let outcomes = await bed.writer(bed.destination(post: true)).deliver([good, negative])

            let draft = try #require(bed.fake.invoices().first { $0.ref == negative.key })
            #expect(outcomes[negative.key] == .failed(reason: "Odoo refused to post invoice \(draft.id): "
                + "You cannot validate an invoice with a negative total amount. You should create a credit note instead.; "
                + "it stays in draft"))
            #expect(outcomes[good.key]?.remoteID != nil)
            #expect(bed.fake.invoices().map(\.state) == ["posted", "draft"])
        }
    }

    @Test func json2ProtocolDeliversTheSameWay() async throws {
        try await OdooTestBed.run { bed in
            let documents = Array(tenInvoices().prefix(4))
            let destination = bed.destination(protocol: .json2)

            let first = await bed.writer(destination).deliver(documents)
            let second = await bed.writer(destination).deliver(documents)

            #expect(documents.allSatisfy { first[$0.key]?.remoteID != nil })
            #expect(second == first)
            #expect(bed.fake.invoices().count == 4)
            #expect(bed.fake.requestCount(protocol: "jsonrpc") == 0)
            #expect(bed.fake.requestCount(protocol: "json2") > 0)
        }
    }

    @Test func autoProtocolPrefersJSON2() async throws {
        try await OdooTestBed.run { bed in
            let outcomes = await bed.writer(bed.destination(protocol: .auto)).deliver([invoice("acct-1", lines: [("seats", "1.00")])])

            #expect(outcomes.values.allSatisfy { $0.remoteID != nil })
            #expect(bed.fake.requestCount(protocol: "jsonrpc") == 0)
        }
    }

    @Test func autoProtocolFallsBackToJSONRPCOnOdoo18() async throws {
        try await OdooTestBed.run { bed in
            bed.fake.disableJSON2()

            let outcomes = await bed.writer(bed.destination(protocol: .auto)).deliver([invoice("acct-1", lines: [("seats", "1.00")])])

            #expect(outcomes.values.allSatisfy { $0.remoteID != nil })
            #expect(bed.fake.requestCount(protocol: "json2") == 1)
            #expect(bed.fake.invoices().count == 1)
        }
    }

    @Test func claimsEachInvoiceWithAnExternalID() async throws {
        try await OdooTestBed.run { bed in
            let document = invoice("acct-42", lines: [("seats", "12.30")])

            let outcomes = await bed.writer().deliver([document])

            let name = "odometer." + OdooExternalIDs.name(forKey: document.key)
            let moveID = try #require(outcomes[document.key]?.remoteID)
            #expect(bed.fake.externalIDs() == [name: moveID])
            #expect(!name.contains(" "))
        }
    }

    @Test func createsMissingPartnerWhenAllowed() async throws {
        try await OdooTestBed.run { bed in
            let document = invoice("acct-new", ref: "NEWCO", lines: [("seats", "1.00")])

            let outcomes = await bed.writer(bed.destination(createPartners: true)).deliver([document])

            #expect(outcomes[document.key]?.remoteID != nil)
            #expect(bed.fake.invoices().first?.partnerRef == "NEWCO")
        }
    }
}
