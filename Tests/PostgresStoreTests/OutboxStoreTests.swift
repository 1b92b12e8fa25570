import PostgresNIO
import Synchronization
import Testing
@testable import PostgresStore

extension RealPostgres {
    @Suite struct Outbox {
        @Test func concurrentClaimersNeverReceiveTheSameEntry() async throws {
            try await withMigratedDatabase { client in
                let accounts = (0..<40).map { "acct-\($0)" }
                _ = try await CloseStore(client: client, logger: testLogger)
                    .record(sampleClose(accounts: accounts, destinations: ["stripe"]))
                let store = OutboxStore(client: client, logger: testLogger)
                let claimed = try await withThrowingTaskGroup(of: [String].self) { group in
                    for _ in 0..<4 {
                        group.addTask {
                            var mine: [String] = []
                            while true {
                                let batch = try await store.claim(destination: "stripe", limit: 3, lease: .seconds(60))
                                if batch.isEmpty { return mine }
                                mine += batch.map(\.documentKey)
                            }
                        }
                    }
                    var all: [String] = []
                    for try await keys in group { all += keys }
                    return all
                }
                #expect(claimed.count == 40)
                #expect(Set(claimed) == Set(accounts.map { "doc-\($0)" }))
                let entries = try await store.deliveries(status: .pending)
                #expect(entries.allSatisfy { $0.attempts == 1 && $0.leaseUntil != nil })
                #expect(try await store.claim(destination: "odoo", limit: 10, lease: .seconds(60)).isEmpty)
            }
        }

        @Test func aClaimReturnsTheDocumentAndAnExpiredLeaseIsClaimableAgain() async throws {
            try await withMigratedDatabase { client in
                _ = try await CloseStore(client: client, logger: testLogger).record(sampleClose(accounts: ["acct-1"]))
                let store = OutboxStore(client: client, logger: testLogger)
                let first = try await store.claim(destination: "stripe", limit: 10, leaseSeconds: 60)
                #expect(first.map(\.documentKey) == ["doc-acct-1"])
                #expect(first.first?.lineKeys == ["line-acct-1", #"odd "key", with\slash {}"#])
                #expect(first.first?.account == "acct-1")
                #expect(first.first?.period == "2026-11")
                #expect(first.first?.status == .pending)
                #expect(first.first?.attempts == 1)
                #expect(try await store.claim(destination: "stripe", limit: 10, leaseSeconds: 60).isEmpty)

                // The relay died mid-HTTP: its lease runs out.
                try await client.query("UPDATE outbox SET lease_until = now() - interval '1 second'", logger: testLogger)
                let second = try await store.claim(destination: "stripe", limit: 10, leaseSeconds: 60)
                #expect(second.map(\.documentKey) == ["doc-acct-1"])
                #expect(second.first?.attempts == 2)
            }
        }

        @Test func deliveredFailedAndRetriedEntriesMoveThroughTheirStates() async throws {
            try await withMigratedDatabase { client in
                _ = try await CloseStore(client: client, logger: testLogger)
                    .record(sampleClose(accounts: ["acct-1", "acct-2", "acct-3"], destinations: ["lago"]))
                let store = OutboxStore(client: client, logger: testLogger)
                #expect(try await store.claim(destination: "lago", limit: 10, leaseSeconds: 60).count == 3)

                try await store.markDelivered(destination: "lago", documentKey: "doc-acct-1", remoteId: "inv_123")
                let remoteError = "400 {\"error\":\"invalid_customer\",\n \"message\":\"cus_x does not exist\"}"
                try await store.markFailed(destination: "lago", documentKey: "doc-acct-2", error: remoteError)
                try await store.reschedule(destination: "lago", documentKey: "doc-acct-3", after: .seconds(3600),
                                           error: "503 Service Unavailable")

                let delivered = try await store.deliveries(status: .delivered)
                #expect(delivered.map(\.documentKey) == ["doc-acct-1"])
                #expect(delivered.first?.remoteId == "inv_123")
                #expect(delivered.first?.leaseUntil == nil)
                let failed = try await store.deliveries(status: .failed)
                #expect(failed.map(\.documentKey) == ["doc-acct-2"])
                #expect(failed.first?.lastError == remoteError)
                let pending = try await store.deliveries(status: .pending)
                #expect(pending.map(\.documentKey) == ["doc-acct-3"])
                #expect(pending.first?.lastError == "503 Service Unavailable")
                #expect(pending.first.map { $0.nextAttemptAt > $0.updatedAt.addingTimeInterval(3500) } == true)
                #expect(try await store.deliveries().count == 3)

                // Nothing is due: one delivered, one failed, one rescheduled an hour ahead.
                #expect(try await store.claim(destination: "lago", limit: 10, leaseSeconds: 60).isEmpty)

                #expect(try await store.retryFailed(destination: "lago") == 1)
                #expect(try await store.retryFailed(destination: "lago") == 0)
                let retried = try await store.claim(destination: "lago", limit: 10, leaseSeconds: 60)
                #expect(retried.map(\.documentKey) == ["doc-acct-2"])
                #expect(retried.first?.attempts == 1)
                #expect(retried.first?.status == .pending)
            }
        }

        /// Two workers held the same document (the first one's lease ran out mid-batch): the one
        /// that failed it for good settles first, the other's transient error comes later.
        @Test func aLateRescheduleLeavesAFinalOutcomeAlone() async throws {
            try await withMigratedDatabase { client in
                _ = try await CloseStore(client: client, logger: testLogger)
                    .record(sampleClose(accounts: ["acct-1", "acct-2"], destinations: ["odoo"]))
                let store = OutboxStore(client: client, logger: testLogger)
                #expect(try await store.claim(destination: "odoo", limit: 10, leaseSeconds: 60).count == 2)
                let locked = "The invoice date 2026-10-31 is in a locked period (lock date 2026-11-01)."
                try await store.settle(destination: "odoo", delivered: [("doc-acct-2", "7")],
                                       failed: [("doc-acct-1", locked)], rescheduled: [])
                try await store.settle(destination: "odoo", delivered: [], failed: [],
                                       rescheduled: [("doc-acct-1", .seconds(1), "Odoo answered HTTP 429"),
                                                     ("doc-acct-2", .seconds(1), "Odoo answered HTTP 429")])
                let failed = try await store.deliveries(status: .failed)
                #expect(failed.map(\.documentKey) == ["doc-acct-1"])
                #expect(failed.first?.lastError == locked)
                let delivered = try await store.deliveries(status: .delivered)
                #expect(delivered.map(\.documentKey) == ["doc-acct-2"])
                #expect(delivered.first?.lastError == nil)
            }
        }

        /// A worker whose batch outlives its lease renews it: nobody else claims those documents.
        @Test func aRenewedLeaseKeepsTheDocumentsFromOtherWorkers() async throws {
            try await withMigratedDatabase { client in
                _ = try await CloseStore(client: client, logger: testLogger)
                    .record(sampleClose(accounts: ["acct-1", "acct-2"], destinations: ["odoo"]))
                let store = OutboxStore(client: client, logger: testLogger)
                let held = try await store.claim(destination: "odoo", limit: 10, lease: .milliseconds(300))
                #expect(held.count == 2)
                try await store.markDelivered(destination: "odoo", documentKey: "doc-acct-2", remoteId: "7")
                #expect(try await store.renewLease(destination: "odoo", documentKeys: held.map(\.documentKey),
                                                   lease: .seconds(60)) == 1)   // a delivered one stays released
                try await Task.sleep(for: .milliseconds(500))
                #expect(try await store.claim(destination: "odoo", limit: 10, lease: .seconds(60)).isEmpty)
                // Without the renewal, the lease runs out and another worker takes the document.
                try await client.query("UPDATE outbox SET lease_until = now() - interval '1 second' WHERE status = 'pending'",
                                       logger: testLogger)
                #expect(try await store.claim(destination: "odoo", limit: 10, lease: .seconds(60)).map(\.documentKey) == ["doc-acct-1"])
            }
        }

        /// A renewal skips a row another session holds instead of waiting for it. Before, it
        /// waited, and in the fault storm it deadlocked with the relay's own settle of the same
        /// batch: Postgres aborted the settle, and the relay failed its pass.
        @Test func aRenewalSkipsARowAnotherSessionHolds() async throws {
            try await withMigratedDatabase { client in
                _ = try await CloseStore(client: client, logger: testLogger)
                    .record(sampleClose(accounts: ["acct-1", "acct-2"], destinations: ["odoo"]))
                let store = OutboxStore(client: client, logger: testLogger)
                let held = try await store.claim(destination: "odoo", limit: 10, lease: .seconds(60)).map(\.documentKey)
                #expect(held.sorted() == ["doc-acct-1", "doc-acct-2"])
                try await client.withConnection { other in
                    try await other.query("BEGIN", logger: testLogger)
                    try await other.query("SELECT 1 FROM outbox WHERE document_key = 'doc-acct-1' FOR UPDATE", logger: testLogger)
                    // Bounded: a renewal that waits for the lock would wait for this test forever.
                    let renewed = Renewed()
                    let renewal = Task {
                        let count = try await store.renewLease(destination: "odoo", documentKeys: held, lease: .seconds(90))
                        renewed.count.withLock { $0 = count }
                    }
                    for _ in 0..<400 where renewed.count.withLock({ $0 }) == nil { try await Task.sleep(for: .milliseconds(25)) }
                    #expect(renewed.count.withLock { $0 } == 1, "the renewal waited for the row another session holds")
                    try await other.query("ROLLBACK", logger: testLogger)
                    try await renewal.value
                }
                var leases: [String: Double] = [:]
                for try await (key, seconds) in try await client.query(
                    "SELECT document_key, extract(epoch FROM lease_until - now())::float8 FROM outbox", logger: testLogger)
                    .decode((String, Double).self) { leases[key] = seconds }
                #expect(leases["doc-acct-2"].map { $0 > 60 } == true, "\(leases)")   // renewed to 90 s
                #expect(leases["doc-acct-1"].map { $0 <= 60 } == true, "\(leases)")  // skipped: still the claim's 60 s
            }
        }

        @Test func markingAnUnknownEntryIsAnError() async throws {
            try await withMigratedDatabase { client in
                let store = OutboxStore(client: client, logger: testLogger)
                await #expect(throws: PostgresStoreError.self) {
                    try await store.markDelivered(destination: "stripe", documentKey: "nope", remoteId: "x")
                }
            }
        }
    }
}

/// What a renewal running in its own task returned, once it has.
private final class Renewed: Sendable {
    let count = Mutex<Int?>(nil)
}
