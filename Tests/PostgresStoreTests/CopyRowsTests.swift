import PostgresNIO
import Testing
@testable import PostgresStore

/// Lends the UTF-8 bytes of each field as raw buffers, valid for the duration of `body`.
private func withRawFields(_ fields: [String], _ body: ([UnsafeRawBufferPointer]) -> Void) {
    var storage: [UInt8] = []
    var ranges: [Range<Int>] = []
    for field in fields {
        let start = storage.count
        storage += field.utf8
        ranges.append(start..<storage.count)
    }
    storage.withUnsafeBytes { all in body(ranges.map { UnsafeRawBufferPointer(rebasing: all[$0]) }) }
}

@Suite struct CopyRowsEncoding {
    @Test func copySpecialsAreEscapedAndNullsAreBackslashN() {
        var rows = TotalsCopyRows()
        rows.append(account: "a\tb", meter: "m\\n", period: "2026-11", dimensions: "{\"k\":\"x\ny\r\"}", events: -12,
                    sum: "1.5", min: nil, max: "2", latest: nil)
        let text = String(decoding: rows.text.bytes.readableBytesView, as: UTF8.self)
        #expect(text == "a\\tb\tm\\\\n\t2026-11\t{\"k\":\"x\\ny\\r\"}\t-12\t1.5\t\\N\t2\t\\N\t\\N\t\\N\t\\N\t\\N\n")
        #expect(rows.count == 1)
        #expect(!rows.isEmpty)
    }

    @Test func rawByteAppendEncodesExactlyLikeTheStringAppend() {
        let fields = ["acct-é", "api\\tokens", "2026-11", "{\"model\":\"gpt\tx\"}", "123.000000000001", "-5", "9", "7"]
        let position = EventPosition(timeSeconds: -62_135_596_800, timeNanos: 999_999_999,
                                     partition: Int32.max, offset: Int64.max)
        var fromStrings = TotalsCopyRows()
        fromStrings.append(account: fields[0], meter: fields[1], period: fields[2], dimensions: fields[3],
                           events: Int64.min, sum: fields[4], min: fields[5], max: fields[6],
                           latest: LatestSample(value: fields[7], position: position))
        var fromBytes = TotalsCopyRows()
        withRawFields(fields) { raw in
            fromBytes.append(account: raw[0], meter: raw[1], period: raw[2], dimensions: raw[3], events: Int64.min,
                             sum: raw[4], min: raw[5], max: raw[6], latestValue: raw[7], latestPosition: position)
        }
        #expect(fromBytes.text.bytes == fromStrings.text.bytes)
        let text = String(decoding: fromStrings.text.bytes.readableBytesView, as: UTF8.self)
        #expect(text.hasSuffix("\t-9223372036854775808\t123.000000000001\t-5\t9\t7\t-62135596800\t999999999\t2147483647\t9223372036854775807\n"))
    }

    @Test func uniqueValueRowsFromBytesMatchRowsFromStrings() {
        var fromStrings = UniqueValueCopyRows()
        fromStrings.append(account: "a", meter: "m", period: "2026-11", dimensions: "{}", value: "x\\N")
        var fromBytes = UniqueValueCopyRows()
        withRawFields(["a", "m", "2026-11", "{}", "x\\N"]) { raw in
            fromBytes.append(account: raw[0], meter: raw[1], period: raw[2], dimensions: raw[3], value: raw[4])
        }
        #expect(fromBytes.text.bytes == fromStrings.text.bytes)
        #expect(String(decoding: fromStrings.text.bytes.readableBytesView, as: UTF8.self) == "a\tm\t2026-11\t{}\tx\\\\N\n")
    }
}

extension RealPostgres {
    @Suite struct CopyRoundTrip {
        @Test func awkwardTextSurvivesCopyUnchanged() async throws {
            let awkward = ["tab\there", "new\nline", "carriage\rreturn", "back\\slash", "\\N", "\\.", "café ☕️ 𝄞", ""]
            try await withMigratedDatabase { client in
                _ = try await PartitionOffsetStore(client: client, logger: testLogger)
                    .claim(group: "g", topic: "t", partitions: [0], owner: "o")
                var totals = TotalsCopyRows()
                var unique = UniqueValueCopyRows()
                for (index, text) in awkward.enumerated() {
                    totals.append(account: text, meter: "m", period: "2026-11", dimensions: "{\"d\":\"\(index)\"}",
                                  events: 1, sum: "1", min: nil, max: nil, latest: nil)
                    unique.append(account: text, meter: "m", period: "2026-11", dimensions: "{\"d\":\"\(index)\"}",
                                  value: text)
                }
                try await TotalsFlushWriter(client: client, logger: testLogger).flush(FlushBatch(
                    group: "g", topic: "t", offsets: [PartitionOffset(partition: 0, nextOffset: 1, epoch: 1)],
                    totals: totals, uniqueValues: unique))
                let records = try await UsageQueries(client: client, logger: testLogger).totals()
                #expect(Set(records.map(\.account)) == Set(awkward))
                #expect(records.allSatisfy { $0.uniqueCount == 1 })
                var values: Set<String> = []
                for try await value in try await client.query("SELECT value FROM usage_unique_current",
                                                              logger: testLogger).decode(String.self) {
                    values.insert(value)
                }
                #expect(values == Set(awkward))
            }
        }

        @Test func aRejectedCopyRollsBackAndTheNextFlushStillWorks() async throws {
            try await withMigratedDatabase { client in
                _ = try await PartitionOffsetStore(client: client, logger: testLogger)
                    .claim(group: "g", topic: "t", partitions: [0], owner: "o")
                let writer = TotalsFlushWriter(client: client, logger: testLogger)
                var bad = TotalsCopyRows()
                bad.append(account: "a", meter: "m", period: "2026-11", dimensions: "{}", events: 1, sum: "1",
                           min: nil, max: nil, latest: nil)
                bad.append(account: "b", meter: "m", period: "2026-11", dimensions: "{}", events: 1, sum: "1,5",
                           min: nil, max: nil, latest: nil)
                do {
                    try await writer.flush(FlushBatch(group: "g", topic: "t",
                        offsets: [PartitionOffset(partition: 0, nextOffset: 2, epoch: 1)], totals: bad))
                    Issue.record("a malformed decimal must be rejected")
                } catch let error as PostgresStoreError {
                    #expect(error.sqlState == "22P02")
                    #expect(error.description.contains("numeric"))
                }
                var good = TotalsCopyRows()
                good.append(account: "a", meter: "m", period: "2026-11", dimensions: "{}", events: 2, sum: "2.50",
                            min: nil, max: nil, latest: nil)
                try await writer.flush(FlushBatch(group: "g", topic: "t",
                    offsets: [PartitionOffset(partition: 0, nextOffset: 2, epoch: 1)], totals: good))
                let records = try await UsageQueries(client: client, logger: testLogger).totals()
                #expect(records.map(\.sum) == ["2.50"])
                #expect(records.map(\.events) == [2])
                #expect(try await UsageQueries(client: client, logger: testLogger).offsets(group: "g", topic: "t")
                        == [0: PartitionClaim(nextOffset: 2, epoch: 1)])
            }
        }
    }
}
