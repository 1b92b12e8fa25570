import PostgresNIO
import Testing
@testable import PostgresStore

extension RealPostgres {
    @Suite struct FlushMerge {
        let group = "odometer"
        let topic = "usage"

        /// Claims partitions 0...3 and returns a writer plus a function flushing rows under epoch 1.
        private func flushing(_ client: PostgresClient) async throws -> @Sendable (TotalsCopyRows, UniqueValueCopyRows) async throws -> Void {
            let claims = try await PartitionOffsetStore(client: client, logger: testLogger)
                .claim(group: group, topic: topic, partitions: [0, 1, 2, 3], owner: "test")
            #expect(claims.values.allSatisfy { $0.nextOffset == 0 && $0.epoch == 1 })
            let writer = TotalsFlushWriter(client: client, logger: testLogger)
            let (group, topic) = (group, topic)
            return { totals, unique in
                try await writer.flush(FlushBatch(group: group, topic: topic,
                                                  offsets: [PartitionOffset(partition: 0, nextOffset: 1, epoch: 1)],
                                                  totals: totals, uniqueValues: unique))
            }
        }

        @Test func twoFlushesAddTwelveDigitFractionsExactlyAndMergeDuplicateKeysOfOneBatch() async throws {
            try await withMigratedDatabase { client in
                let flush = try await flushing(client)
                var first = TotalsCopyRows()
                for _ in 0..<2 {
                    first.append(account: "acct-1", meter: "tokens", period: "2026-11", dimensions: #"{"model":"x"}"#,
                                 events: 1, sum: "0.000000000001", min: nil, max: nil, latest: nil)
                }
                try await flush(first, UniqueValueCopyRows())
                var second = TotalsCopyRows()
                second.append(account: "acct-1", meter: "tokens", period: "2026-11", dimensions: #"{"model":"x"}"#,
                              events: 1, sum: "0.000000000001", min: nil, max: nil, latest: nil)
                second.append(account: "acct-1", meter: "tokens", period: "2026-11", dimensions: "{}",
                              events: 4, sum: "999999999999999999.999999999999", min: nil, max: nil, latest: nil)
                try await flush(second, UniqueValueCopyRows())

                let totals = try await UsageQueries(client: client, logger: testLogger).totals()
                // Byte order: '"' (0x22) sorts before '}' (0x7D).
                #expect(totals.map(\.dimensions) == [#"{"model":"x"}"#, "{}"])
                #expect(totals.map(\.sum) == ["0.000000000003", "999999999999999999.999999999999"])
                #expect(totals.map(\.events) == [3, 4])
                #expect(totals.allSatisfy { $0.min == nil && $0.max == nil && $0.latest == nil && $0.uniqueCount == 0 })
                #expect(try await UsageQueries(client: client, logger: testLogger).eventsTotal() == 7)
                _ = try await DeltaCompactor(client: client, logger: testLogger).compact(maxRows: 1000)
                #expect(try await UsageQueries(client: client, logger: testLogger).totals() == totals)
                #expect(try await UsageQueries(client: client, logger: testLogger).eventsTotal() == 7)
            }
        }

        @Test func rowsOfBothShapesInOneFlushMergeIntoTheSameTotals() async throws {
            try await withMigratedDatabase { client in
                let flush = try await flushing(client)
                // As shards encode them: additive rows in six columns, a MAX row in all thirteen.
                var rows = TotalsCopyRows(reservingBytes: 0)
                rows.adoptEncodedRows(Array("acct-1\ttokens\t2026-11\t{}\t2\t1.25\nacct-2\tcalls\t2026-11\t{}\t3\t0\n".utf8),
                                      rows: 2, shape: .additive)
                rows.adoptEncodedRows(Array("acct-1\tpeak\t2026-11\t{}\t1\t0\t\\N\t7.5\t\\N\t\\N\t\\N\t\\N\t\\N\n".utf8),
                                      rows: 1, shape: .full)
                rows.adoptEncodedRows(Array("acct-1\ttokens\t2026-11\t{}\t1\t0.75\n".utf8), rows: 1, shape: .additive)
                #expect(rows.count == 4)
                try await flush(rows, UniqueValueCopyRows())

                let totals = try await UsageQueries(client: client, logger: testLogger).totals()
                #expect(totals.map { "\($0.account) \($0.meter) \($0.events) \($0.sum) \($0.max ?? "-")" }
                        == ["acct-1 peak 1 0 7.5", "acct-1 tokens 3 2.00 -", "acct-2 calls 3 0 -"])
                #expect(totals.allSatisfy { $0.min == nil && $0.latest == nil })
            }
        }

        @Test func minMaxAndLatestMergeAcrossFlushesWithTimeTiesBrokenByPartitionThenOffset() async throws {
            try await withMigratedDatabase { client in
                let flush = try await flushing(client)
                func row(_ rows: inout TotalsCopyRows, min: String?, max: String?, latest: String,
                         _ seconds: Int64, _ nanos: Int32, _ partition: Int32, _ offset: Int64) {
                    rows.append(account: "a", meter: "seats", period: "2026-11", dimensions: "{}", events: 1,
                                sum: "0", min: min, max: max,
                                latest: LatestSample(value: latest, position: EventPosition(
                                    timeSeconds: seconds, timeNanos: nanos, partition: partition, offset: offset)))
                }
                var first = TotalsCopyRows()
                row(&first, min: "5", max: "5", latest: "10", 100, 0, 0, 7)
                try await flush(first, UniqueValueCopyRows())

                // Same time, greater partition wins even with a smaller offset.
                var second = TotalsCopyRows()
                row(&second, min: "-2.5", max: nil, latest: "11", 100, 0, 1, 3)
                try await flush(second, UniqueValueCopyRows())

                // Same time and partition, a smaller offset loses; an earlier time loses whatever its partition.
                var third = TotalsCopyRows()
                row(&third, min: nil, max: "7.25", latest: "12", 100, 0, 1, 2)
                row(&third, min: "3", max: "1", latest: "13", 99, 999_999_999, 3, 99)
                try await flush(third, UniqueValueCopyRows())

                // Compacted in between: the merge into stored totals follows the same order as the view.
                _ = try await DeltaCompactor(client: client, logger: testLogger).compact(maxRows: 1000)
                var record = try #require(try await UsageQueries(client: client, logger: testLogger).totals().first)
                #expect(record.min == "-2.5")
                #expect(record.max == "7.25")
                #expect(record.latest == LatestSample(value: "11", position: EventPosition(
                    timeSeconds: 100, timeNanos: 0, partition: 1, offset: 3)))
                #expect(record.events == 4)

                // Inside one batch: "19" loses on time despite its greater partition; "20" and "21" tie on time
                // and the greater partition wins.
                var fourth = TotalsCopyRows()
                row(&fourth, min: nil, max: nil, latest: "20", 100, 1, 0, 1)
                row(&fourth, min: nil, max: nil, latest: "21", 100, 1, 2, 0)
                row(&fourth, min: nil, max: nil, latest: "19", 100, 0, 3, 500)
                try await flush(fourth, UniqueValueCopyRows())
                record = try #require(try await UsageQueries(client: client, logger: testLogger).totals().first)
                #expect(record.latest == LatestSample(value: "21", position: EventPosition(
                    timeSeconds: 100, timeNanos: 1, partition: 2, offset: 0)))
                #expect(record.min == "-2.5")
                #expect(record.max == "7.25")
            }
        }

        @Test func compactionMergesDeltasIntoTheSameTotalsTheViewShowedAndEmptiesTheBacklog() async throws {
            try await withMigratedDatabase { client in
                let flush = try await flushing(client)
                func shard(_ latest: String, offset: Int64) -> TotalsCopyRows {
                    var rows = TotalsCopyRows()
                    rows.append(account: "a", meter: "m", period: "2026-11", dimensions: "{}", events: 2, sum: "0.5",
                                min: "0.25", max: "0.25", latest: LatestSample(value: latest, position: EventPosition(
                                    timeSeconds: 7, timeNanos: 0, partition: 0, offset: offset)))
                    return rows
                }
                var unique = UniqueValueCopyRows()
                unique.append(account: "a", meter: "m", period: "2026-11", dimensions: "{}", value: "v1")
                try await flush(shard("1", offset: 10), unique)
                var combined = shard("3", offset: 12)
                combined.append(contentsOf: shard("2", offset: 11))
                try await flush(combined, unique)
                let queries = UsageQueries(client: client, logger: testLogger)
                let compactor = DeltaCompactor(client: client, logger: testLogger)
                let backlog = try await compactor.backlog()
                #expect(backlog.batches == 2 && backlog.rows == 3 && backlog.uniqueRows == 2)
                let before = try await queries.totals()
                #expect(before.map(\.events) == [6] && before.map(\.sum) == ["1.5"] && before.first?.latest?.value == "3")
                #expect(before.first?.uniqueCount == 1)

                // One row at a time: each compaction takes at least one batch, the oldest first.
                let first = try #require(try await compactor.compact(maxRows: 1))
                #expect(first.rows == 1 && first.keys == 1)
                #expect(try await queries.totals() == before)
                let second = try #require(try await compactor.compact(maxRows: 100))
                #expect(second.rows == 2 && second.uniqueRows == 1 && second.keys == 1)
                #expect(try await queries.totals() == before)
                #expect(try await compactor.backlog().batches == 0)
                #expect(try await compactor.compact(maxRows: 100) == CompactionReport(rows: 0, uniqueRows: 0, keys: 0))

                // New deltas on top of compacted totals add up the same way.
                try await flush(shard("4", offset: 13), UniqueValueCopyRows())
                let after = try #require(try await queries.totals().first)
                #expect(after.events == 8 && after.sum == "2.0" && after.latest?.value == "4" && after.min == "0.25")
                _ = try await compactor.compact(maxRows: 100)
                #expect(try await queries.totals().first == after)
            }
        }

        @Test func uniqueValuesAreCountedOnceAcrossBatchesAndDuplicates() async throws {
            try await withMigratedDatabase { client in
                let flush = try await flushing(client)
                var totals = TotalsCopyRows()
                totals.append(account: "a", meter: "users", period: "2026-11", dimensions: "{}", events: 3, sum: "0",
                              min: nil, max: nil, latest: nil)
                var unique = UniqueValueCopyRows()
                for value in ["u1", "u2", "u1"] {
                    unique.append(account: "a", meter: "users", period: "2026-11", dimensions: "{}", value: value)
                }
                try await flush(totals, unique)
                var again = UniqueValueCopyRows()
                for value in ["u2", "u3", "1", "1.0"] {
                    again.append(account: "a", meter: "users", period: "2026-11", dimensions: "{}", value: value)
                }
                try await flush(totals, again)
                let record = try #require(try await UsageQueries(client: client, logger: testLogger).totals().first)
                #expect(record.uniqueCount == 5)
                #expect(record.events == 6)
                _ = try await DeltaCompactor(client: client, logger: testLogger).compact(maxRows: 1)
                #expect(try await UsageQueries(client: client, logger: testLogger).totals().first == record)
                _ = try await DeltaCompactor(client: client, logger: testLogger).compact(maxRows: 1000)
                #expect(try await UsageQueries(client: client, logger: testLogger).totals().first == record)
            }
        }

        @Test func totalsQueryFiltersByAccountAndPeriodAndSortsByKeyBytes() async throws {
            try await withMigratedDatabase { client in
                let flush = try await flushing(client)
                var rows = TotalsCopyRows()
                for (account, period) in [("b", "2026-11"), ("a", "2026-12"), ("a", "2026-11"), ("B", "2026-11")] {
                    rows.append(account: account, meter: "calls", period: period, dimensions: "{}", events: 1,
                                sum: "1", min: nil, max: nil, latest: nil)
                }
                try await flush(rows, UniqueValueCopyRows())
                let queries = UsageQueries(client: client, logger: testLogger)
                #expect(try await queries.totals().map { "\($0.account) \($0.period)" }
                        == ["B 2026-11", "a 2026-11", "a 2026-12", "b 2026-11"])
                #expect(try await queries.totals(account: "a").map(\.period) == ["2026-11", "2026-12"])
                #expect(try await queries.totals(period: "2026-11").map(\.account) == ["B", "a", "b"])
                #expect(try await queries.totals(account: "a", period: "2026-12").count == 1)
            }
        }
    }
}
