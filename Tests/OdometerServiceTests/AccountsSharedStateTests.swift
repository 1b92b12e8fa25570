import Foundation
import KafkaClient
import Logging
import MeteringCore
import OdometerConfig
@testable import OdometerService
import OdometerTestSupport
import PostgresStore
import Testing

/// Accounts are shared state (DESIGN §5): an account imported while two pipelines of one group
/// run reaches both within `accountsRefreshMs`, so both bucket its events in its zone.
@Suite(.serialized) struct AccountsSharedStateTests {
    @Test func anAccountImportedWhileTwoPipelinesRunReachesBothWithinTheRefreshInterval() async throws {
        try await PipelineEnvironment.with(partitions: 4, accounts: 0) { environment in
            let configuration = try ConfigurationLoader.parse(yaml: """
                kafka: { brokers: "\(environment.kafka.bootstrapServers)" }
                postgres: { url: "\(environment.database.url)" }
                meters: [ { slug: api_calls, eventType: api_request, aggregation: COUNT } ]
                """, environment: [:])
            let runtime = OdometerRuntime(configuration: configuration, logger: environment.logger)
            let refresh = Duration.milliseconds(300)
            let books = [AccountBook(try AccountDirectory(accounts: [])), AccountBook(try AccountDirectory(accounts: []))]
            let pipelines = try books.map { book in
                try IngestPipeline(settings: environment.settings, catalog: MeterCatalog(meters: environment.meters),
                                   accounts: book, postgres: environment.postgres, logger: environment.logger)
            }
            let tasks = zip(pipelines, books).map { pipeline, book in
                Task {
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            try await AccountsRefresher(runtime: runtime, postgres: environment.postgres, book: book,
                                                       interval: refresh, logger: environment.logger).run()
                        }
                        group.addTask { try await pipeline.run() }
                        try await group.next()
                        group.cancelAll()
                    }
                }
            }
            defer { for task in tasks { task.cancel() } }
            // Both members own partitions once the group has settled.
            let owners = { () async throws -> Set<String> in
                Set(try await PartitionOffsetStore(client: environment.postgres, logger: environment.logger)
                    .rows(group: environment.group, topic: environment.topic).values.map(\.owner))
            }
            let settled = ContinuousClock.now + .seconds(60)
            while try await owners().count < 2, ContinuousClock.now < settled { try await Task.sleep(for: .milliseconds(100)) }
            #expect(try await owners().count == 2)

            // 21:00 on 31 October in UTC is already November in Kolkata (+05:30).
            let producer = try KafkaProducer(bootstrapServers: environment.kafka.bootstrapServers, logger: nil)
            func send(_ batch: String) throws {
                for partition in Int32(0)..<4 {
                    for index in 0..<100 {
                        let event = #"{"specversion":"1.0","id":"\#(batch)-\#(partition)-\#(index)","source":"t","type":"api_request","subject":"acct-kolkata","time":"2026-10-31T21:00:00Z","data":{"tokens":1,"model":"m"}}"#
                        try producer.produce(topic: environment.topic, partition: partition, key: Array("k".utf8),
                                             value: Array(event.utf8))
                    }
                }
                try producer.flush(timeout: .seconds(30))
            }
            // Unknown yet: its events are totalled in UTC months, unbilled.
            try send("before")
            try await environment.waitUntilCaughtUp()
            try await AccountStore(client: environment.postgres, logger: environment.logger).importAccounts([
                AccountRecord(id: "acct-kolkata", plan: "pro", timeZone: "Asia/Kolkata", odooPartnerRef: nil,
                              stripeCustomer: nil, lagoSubscription: nil)])
            // Both refreshers take it at their next read: within the interval on an idle machine. The
            // bound is generous because a full, loaded `swift test` makes one Postgres read take
            // seconds (its flushes wait over 5 s there); a book that never takes it still fails.
            let imported = ContinuousClock.now
            let knowsTheAccount = { (book: AccountBook) in
                Array("acct-kolkata".utf8).withUnsafeBytes { book.directory.calendarIndex(forSubject: $0) != 0 }
            }
            while !books.allSatisfy(knowsTheAccount), imported.duration(to: .now) < .seconds(60) {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(books.allSatisfy(knowsTheAccount), "both instances must take the imported account")
            try send("after")
            try await environment.waitUntilCaughtUp()
            // Every event sent after the import is in its Kolkata month, whichever member owned its
            // partition then: both members had the account (above). The members' own counters are
            // not compared: one may report its last commit a moment after Postgres has it.
            let rows = try await UsageQueries(client: environment.postgres, logger: environment.logger)
                .totals(account: "acct-kolkata")
            let byPeriod = Dictionary(rows.filter { $0.meter == "api_calls" }.map { ($0.period, $0.events) },
                                      uniquingKeysWith: +)
            #expect(byPeriod == ["2026-10": 400, "2026-11": 400])
        }
    }
}
