import PostgresNIO
import Testing
@testable import PostgresStore

extension RealPostgres {
    /// Schema 5: idempotency keys per destination, re-keying, retry by id, the next due entry,
    /// and what earlier closes billed.
    @Suite struct DeliveryState {
        func closeWithKeys(accounts: [String]) -> PeriodCloseRecord {
            var close = sampleClose(accounts: accounts, destinations: ["stripe"])
            close.outbox = close.outbox.map { document in
                var keyed = document
                keyed.idempotencyKey = "odm_stripe_\(document.documentKey)"
                return keyed
            }
            return close
        }

        @Test func aClaimCarriesTheStoredKeyAndASpentKeyIsReplacedBeforeTheNextClaim() async throws {
            try await withMigratedDatabase { client in
                _ = try await CloseStore(client: client, logger: testLogger).record(closeWithKeys(accounts: ["acct-1"]))
                let store = OutboxStore(client: client, logger: testLogger)
                let first = try #require(try await store.claim(destination: "stripe", limit: 10, lease: .seconds(60)).first)
                #expect(first.idempotencyKey == "odm_stripe_doc-acct-1")
                #expect(first.firstAttemptAt != nil && first.id > 0)

                try await store.storeKey(destination: "stripe", documentKey: "doc-acct-1", key: "odm_stripe_doc-acct-1:r1",
                                         error: "replayed 500")
                let second = try #require(try await store.claim(destination: "stripe", limit: 10, lease: .seconds(60)).first)
                #expect(second.idempotencyKey == "odm_stripe_doc-acct-1:r1")
                #expect(second.attempts == 2 && second.firstAttemptAt == first.firstAttemptAt)
            }
        }

        @Test func aBatchIsSettledInOneGoEachEntryWithItsOwnOutcome() async throws {
            try await withMigratedDatabase { client in
                _ = try await CloseStore(client: client, logger: testLogger)
                    .record(closeWithKeys(accounts: ["acct-1", "acct-2", "acct-3", "acct-4"]))
                let store = OutboxStore(client: client, logger: testLogger)
                _ = try await store.claim(destination: "stripe", limit: 10, lease: .seconds(60))
                let settling = ContinuousClock.now
                try await store.settle(destination: "stripe",
                                       delivered: [("doc-acct-1", "ii_1"), ("doc-acct-4", "ii_4")],
                                       failed: [("doc-acct-2", "No such customer: 'cus_2'")],
                                       rescheduled: [("doc-acct-3", .seconds(30), "503")])
                let entries = Dictionary(uniqueKeysWithValues: try await store.deliveries().map { ($0.documentKey, $0) })
                #expect(entries["doc-acct-1"]?.status == .delivered && entries["doc-acct-1"]?.remoteId == "ii_1")
                #expect(entries["doc-acct-4"]?.remoteId == "ii_4" && entries["doc-acct-4"]?.leaseUntil == nil)
                #expect(entries["doc-acct-2"]?.status == .failed && entries["doc-acct-2"]?.lastError == "No such customer: 'cus_2'")
                #expect(entries["doc-acct-3"]?.status == .pending && entries["doc-acct-3"]?.lastError == "503")
                let wait = try #require(try await store.nextClaimable(destination: "stripe"))
                // Rescheduled 30 s after the settle; what passed since (a loaded full run took seconds) is
                // off the wait, no more (100 ms for the two clocks).
                let passed = settling.duration(to: .now)
                #expect(wait > .seconds(30) - passed - .milliseconds(100) && wait <= .seconds(30), "waits \(wait) after \(passed)")
            }
        }

        @Test func aFailedEntryIsRetriedByItsIDAndOnlyThatOne() async throws {
            try await withMigratedDatabase { client in
                _ = try await CloseStore(client: client, logger: testLogger).record(closeWithKeys(accounts: ["acct-1", "acct-2"]))
                let store = OutboxStore(client: client, logger: testLogger)
                _ = try await store.claim(destination: "stripe", limit: 10, lease: .seconds(60))
                try await store.markFailed(destination: "stripe", documentKey: "doc-acct-1", error: "No such customer")
                try await store.markFailed(destination: "stripe", documentKey: "doc-acct-2", error: "No such customer")
                let failed = try await store.deliveries(status: .failed)
                let id = try #require(failed.first { $0.documentKey == "doc-acct-2" }?.id)

                let retried = try await store.retryFailed(id: id)
                #expect(retried?.documentKey == "doc-acct-2" && retried?.status == .pending && retried?.attempts == 0)
                #expect(try await store.retryFailed(id: id) == nil, "no longer failed")
                #expect(try await store.deliveries(status: .failed).map(\.documentKey) == ["doc-acct-1"])
            }
        }

        @Test func theNextClaimableEntryIsDueAfterItsBackoffOrItsLease() async throws {
            try await withMigratedDatabase { client in
                let store = OutboxStore(client: client, logger: testLogger)
                #expect(try await store.nextClaimable(destination: "stripe") == nil)
                _ = try await CloseStore(client: client, logger: testLogger).record(closeWithKeys(accounts: ["acct-1"]))
                #expect(try await store.nextClaimable(destination: "stripe") == .zero)
                // What passed between the statements (seconds on a loaded CI machine) is the
                // most the lease and the backoff may have run down.
                let claimed = ContinuousClock.now
                _ = try await store.claim(destination: "stripe", limit: 10, lease: .seconds(30))
                let leased = try #require(try await store.nextClaimable(destination: "stripe"))
                let leaseWait = claimed.duration(to: .now)
                #expect(leased > .seconds(30) - leaseWait - .milliseconds(10) && leased <= .seconds(30),
                        "\(leased) left of a 30 s lease, \(leaseWait) after the claim began")
                let rescheduled = ContinuousClock.now
                try await store.reschedule(destination: "stripe", documentKey: "doc-acct-1", after: .seconds(5), error: "503")
                let backoff = try #require(try await store.nextClaimable(destination: "stripe"))
                let backoffWait = rescheduled.duration(to: .now)
                #expect(backoff > .seconds(5) - backoffWait - .milliseconds(10) && backoff <= .seconds(5),
                        "\(backoff) left of a 5 s backoff, \(backoffWait) after the reschedule began")
                try await store.markDelivered(destination: "stripe", documentKey: "doc-acct-1", remoteId: "ii_1")
                #expect(try await store.nextClaimable(destination: "stripe") == nil)
            }
        }

        @Test func billedRowsSumEveryVersionAndAdjustmentsRecordTheCloseThatBilledThem() async throws {
            try await withMigratedDatabase { client in
                let store = CloseStore(client: client, logger: testLogger)
                _ = try await store.record(sampleClose(accounts: ["acct-1", "acct-2"], destinations: []))
                let adjustment = InvoiceLineRecord(
                    lineKey: "line-acct-1-v2", account: "acct-1", meter: "api_calls", period: "2026-11",
                    dimensions: #"{"model":"x"}"#, version: 2, quantity: "-34.000000000001", amount: "-0.35",
                    currency: "USD", description: "adjustment for 2026-11", billedPeriod: "2026-12")
                _ = try await store.record(PeriodCloseRecord(period: "2026-12", accounts: ["acct-1"], forced: false,
                                                             lines: [adjustment], outbox: []))
                #expect(try await store.earlierCloses(accounts: ["acct-1", "acct-2", "acct-3"], before: "2026-12")
                        == ["acct-1": ["2026-11"], "acct-2": ["2026-11"]])
                #expect(try await store.earlierCloses(accounts: ["acct-1"], before: "2026-11").isEmpty)
                let rows = try await store.billedRows(accounts: ["acct-1"], periods: ["2026-11"])
                #expect(rows == [BilledRowRecord(account: "acct-1", meter: "api_calls", period: "2026-11",
                                                 dimensions: #"{"model":"x"}"#, latestVersion: 2, quantity: "1200.000000000000",
                                                 amount: "11.95", currency: "USD")])
                #expect(try await scalar(client, "SELECT count(*) FROM invoice_lines WHERE billed_period = '2026-12'") == 1)
                #expect(try await scalar(client, "SELECT count(*) FROM invoice_lines WHERE billed_period IS NULL") == 2)
            }
        }
    }
}
