import BillingFakes
import Testing
@testable import BillingWriters
import MeteringCore

@Suite struct OdooWriterFaultTests {
    @Test func timeoutAfterCommitIsFoundAgainNotRecreated() async throws {
        try await OdooTestBed.run { bed in
            bed.fake.delayAfterCommit(model: "account.move", method: "create", by: .seconds(8))
            let documents = Array(tenInvoices().prefix(3))

            let outcomes = await bed.writer(bed.destination(timeout: .seconds(2))).deliver(documents)

            #expect(bed.fake.callCount(model: "account.move", method: "create") == 1)
            #expect(bed.fake.invoices().count == 3)
            #expect(bed.fake.duplicateRefs().isEmpty)
            let stored = Dictionary(uniqueKeysWithValues: bed.fake.invoices().map { ($0.ref ?? "", $0.id) })
            for document in documents {
                #expect(outcomes[document.key]?.remoteID == stored[document.key])
            }
        }
    }

    @Test func oneInvalidInvoiceInTenFailsAloneWithOdoosMessage() async throws {
        try await OdooTestBed.run { bed in
            let documents = tenInvoices()
            let bad = documents[6]
            let message = "The invoice date 2026-11-30 is in a locked period (lock date 2026-12-01)."
            bed.fake.rejectInvoice(ref: bad.key, message: message)

            let outcomes = await bed.writer().deliver(documents)

            #expect(outcomes.count == 10)
            #expect(outcomes[bad.key] == .failed(reason: "Odoo rejected invoice \(bad.key): \(message)"))
            #expect(documents.filter { outcomes[$0.key]?.remoteID != nil }.count == 9)
            #expect(bed.fake.invoices().count == 9)
            #expect(!bed.fake.invoices().contains { $0.ref == bad.key })
            #expect(bed.fake.duplicateRefs().isEmpty)
        }
    }

    @Test func serializationFailureIsRetriedAndSucceeds() async throws {
        try await OdooTestBed.run { bed in
            bed.fake.failWithSerializationError(model: "account.move", method: "create", times: 1)
            let documents = Array(tenInvoices().prefix(2))

            let outcomes = await bed.writer().deliver(documents)

            #expect(documents.allSatisfy { outcomes[$0.key]?.remoteID != nil })
            #expect(bed.fake.callCount(model: "account.move", method: "create") == 2)
            #expect(bed.fake.invoices().count == 2)
        }
    }

    @Test func serverErrorIsRetriedFromTheSearch() async throws {
        try await OdooTestBed.run { bed in
            bed.fake.failWithServerError(status: 502, model: "account.move", method: "create", times: 1)
            let document = invoice("acct-1", lines: [("seats", "9.99")])

            let outcomes = await bed.writer().deliver([document])

            #expect(outcomes[document.key]?.remoteID != nil)
            #expect(bed.fake.invoices().count == 1)
        }
    }

    @Test func persistentServerErrorsEndInRetryNotFailure() async throws {
        try await OdooTestBed.run { bed in
            bed.fake.failWithServerError(status: 503, model: "account.move", method: "create", times: 100)
            let document = invoice("acct-1", lines: [("seats", "9.99")])

            let outcomes = await bed.writer().deliver([document])

            #expect(outcomes[document.key] == .retry(reason: "Odoo answered HTTP 503 to object.execute_kw", after: nil))
            #expect(bed.fake.callCount(model: "account.move", method: "create") == 4)
            #expect(bed.fake.invoices().isEmpty)
        }
    }

    @Test func rateLimitPassesRetryAfterOn() async throws {
        try await OdooTestBed.run { bed in
            bed.fake.failWithServerError(status: 429, model: "account.move", method: "search_read", times: 100,
                                         retryAfterSeconds: 7)
            let document = invoice("acct-1", lines: [("seats", "9.99")])

            let outcomes = await bed.writer(bed.destination(protocol: .json2)).deliver([document])

            #expect(outcomes[document.key] == .retry(
                reason: "Odoo answered HTTP 429 to account.move.search_read: HTTP 429 from the proxy in front of Odoo",
                after: .seconds(7)))
        }
    }

    @Test(arguments: [OdooProtocol.jsonrpc, .json2, .auto])
    func expiredKeyFailsWithRotateMessage(wire: OdooProtocol) async throws {
        try await OdooTestBed.run { bed in
            bed.fake.expireKey()
            let documents = Array(tenInvoices().prefix(2))

            let outcomes = await bed.writer(bed.destination(protocol: wire)).deliver(documents)

            let rotate = DeliveryOutcome.failed(reason: "Odoo rejected the API key (expired or revoked): rotate it")
            #expect(outcomes == [documents[0].key: rotate, documents[1].key: rotate])
            #expect(bed.fake.invoices().isEmpty)
        }
    }

    @Test func keyExpiringBetweenDeliveriesFailsTheNextBatch() async throws {
        try await OdooTestBed.run { bed in
            let writer = bed.writer()
            let first = await writer.deliver([invoice("acct-1", lines: [("seats", "1.00")])])
            #expect(first.values.allSatisfy { $0.remoteID != nil })
            bed.fake.expireKey()

            let second = await writer.deliver([invoice("acct-2", lines: [("seats", "2.00")])])

            #expect(second == ["usage:acct-2:2026-11": .failed(reason: "Odoo rejected the API key (expired or revoked): rotate it")])
        }
    }
}
