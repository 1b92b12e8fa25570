import PostgresNIO
import Testing
@testable import PostgresStore

/// A close of `accounts` for 2026-11: one line per account and one document per (destination, account).
func sampleClose(accounts: [String], destinations: [String] = ["stripe", "odoo"]) -> PeriodCloseRecord {
    let lines = accounts.map { account in
        InvoiceLineRecord(lineKey: "line-\(account)", account: account, meter: "api_calls", period: "2026-11",
                          dimensions: #"{"model":"x"}"#, version: 1, quantity: "1234.000000000001", amount: "12.30",
                          currency: "USD", description: "API calls, November 2026")
    }
    let documents = destinations.flatMap { destination in
        accounts.map { account in
            OutboxDocument(destination: destination, documentKey: "doc-\(account)", account: account,
                           period: "2026-11", lineKeys: ["line-\(account)", #"odd "key", with\slash {}"#])
        }
    }
    return PeriodCloseRecord(period: "2026-11", accounts: accounts, forced: false, lines: lines, outbox: documents)
}

extension RealPostgres {
    @Suite struct Close {
        @Test func recordingTheSameCloseTwiceInsertsNothingTheSecondTime() async throws {
            try await withMigratedDatabase { client in
                let store = CloseStore(client: client, logger: testLogger)
                let close = sampleClose(accounts: ["acct-1", "acct-2"])
                #expect(try await store.record(close) == CloseOutcome(closesInserted: 2, linesInserted: 2, outboxInserted: 4))
                let again = try await store.record(close)
                #expect(again == CloseOutcome(closesInserted: 0, linesInserted: 0, outboxInserted: 0))
                #expect(again.changedNothing)
                #expect(try await store.closedAccounts(period: "2026-11") == ["acct-1", "acct-2"])
                #expect(try await store.closedAccounts(period: "2026-12").isEmpty)
                #expect(try await scalar(client, "SELECT count(*) FROM outbox") == 4)
            }
        }

        @Test func aLaterCloseAddsOnlyWhatIsNewAndNeverRewritesALine() async throws {
            try await withMigratedDatabase { client in
                let store = CloseStore(client: client, logger: testLogger)
                _ = try await store.record(sampleClose(accounts: ["acct-1"]))
                var changed = sampleClose(accounts: ["acct-1", "acct-3"])
                changed.lines[0].amount = "99.99"
                #expect(try await store.record(changed) == CloseOutcome(closesInserted: 1, linesInserted: 1, outboxInserted: 2))
                let lines = try await OutboxStore(client: client, logger: testLogger)
                    .invoiceLines(keys: ["line-acct-3", "missing", "line-acct-1"])
                #expect(lines.map(\.lineKey) == ["line-acct-3", "line-acct-1"])
                #expect(lines.map(\.amount) == ["12.30", "12.30"])
                #expect(lines.map(\.quantity) == ["1234.000000000001", "1234.000000000001"])
                #expect(lines.first == changed.lines[1])
            }
        }

        @Test func aCloseWithAMalformedAmountWritesNothing() async throws {
            try await withMigratedDatabase { client in
                var close = sampleClose(accounts: ["acct-1", "acct-2"])
                close.lines[1].amount = "12,30"
                do {
                    _ = try await CloseStore(client: client, logger: testLogger).record(close)
                    Issue.record("a malformed amount must be rejected")
                } catch let error as PostgresStoreError {
                    #expect(error.sqlState == "22P02")
                }
                #expect(try await scalar(client, "SELECT count(*) FROM period_closes") == 0)
                #expect(try await scalar(client, "SELECT count(*) FROM invoice_lines") == 0)
            }
        }
    }
}
