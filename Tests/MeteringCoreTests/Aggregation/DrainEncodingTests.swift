import Testing
@testable import MeteringCore

/// The rows a drain hands to the flusher, column by column, for keys whose subject and dimension
/// values hold the bytes COPY and JSON escape. The expected rows are written by hand.
@Suite struct DrainEncodingTests {
    static let catalog = MeterCatalog(meters: [
        Meter(slug: "tokens", eventType: "api_request", aggregation: .sum, valueProperty: try! JSONPath("$.tokens"),
              groupBy: [.init(name: "model", path: try! JSONPath("$.model")),
                        .init(name: "region", path: try! JSONPath("$.region"))]),
        Meter(slug: "calls", eventType: "api_request", aggregation: .count),
    ])

    @Test func keyColumnsAreTheCanonicalTextEscapedForCopyInEveryWindow() throws {
        let decoder = EventDecoder(catalog: Self.catalog)
        let aggregator = ShardAggregator(catalog: Self.catalog, directory: try AccountDirectory(accounts: []))
        let subject = #""acct\t\\1""#   // acct, a tab, a backslash, 1
        let data = [#"{"tokens":5,"model":"gpt \"4\"","region":"eu\tw"}"#, #"{"tokens":7,"model":"m\\x"}"#,
                    #"{"tokens":1,"region":"r"}"#, #"{"tokens":2,"model":"gpt \"4\"","region":"eu\tw"}"#]
        let account = #"acct\t\\1"#
        let expected: Set<String> = [
            [account, "tokens", "2026-11", #"{"model":"gpt \\"4\\"","region":"eu\\tw"}"#, "2", "7"],
            [account, "tokens", "2026-11", #"{"model":"m\\\\x"}"#, "1", "7"],
            [account, "tokens", "2026-11", #"{"region":"r"}"#, "1", "1"],
            [account, "calls", "2026-11", "{}", "4", "0"],
        ].reduce(into: []) { rows, columns in
            rows.insert((columns + Array(repeating: #"\N"#, count: 7)).joined(separator: "\t"))
        }
        for window in 0..<2 {
            for json in data {
                let event = #"{"specversion":"1.0","id":"e","source":"s","type":"api_request","subject":\#(subject),"#
                    + #""time":"2026-11-05T10:00:00Z","data":\#(json)}"#
                try Array(event.utf8).withUnsafeBytes { bytes in
                    guard decoder.decode(bytes) == nil else { throw Invalid(json: event) }
                    aggregator.aggregate(decoder, partition: 0, offset: 0)
                }
            }
            let delta = aggregator.drain()
            let rows = delta.totalsInAllColumns()
            #expect(Set(rows) == expected, "window \(window)")
            #expect(rows.count == 4 && delta.totalsRows == 4)
            // SUM and COUNT rows are additive: six columns, nothing in the thirteen-column shape.
            #expect(delta.totals.isEmpty && delta.additiveTotals.rows == 4)
            #expect(String(decoding: delta.additiveTotals.bytes, as: UTF8.self).split(separator: "\n")
                .allSatisfy { $0.split(separator: "\t", omittingEmptySubsequences: false).count == 6 })
        }
    }

    @Test func rowsOfMinMaxAndLatestMetersCarryAllThirteenColumns() throws {
        let catalog = MeterCatalog(meters: [
            Meter(slug: "low", eventType: "snapshot", aggregation: .min, valueProperty: try! JSONPath("$.gb")),
            Meter(slug: "peak", eventType: "snapshot", aggregation: .max, valueProperty: try! JSONPath("$.gb")),
            Meter(slug: "last", eventType: "snapshot", aggregation: .latest, valueProperty: try! JSONPath("$.gb")),
            Meter(slug: "snapshots", eventType: "snapshot", aggregation: .count),
        ])
        let decoder = EventDecoder(catalog: catalog)
        let aggregator = ShardAggregator(catalog: catalog, directory: try AccountDirectory(accounts: []))
        for (offset, gb) in [(40, "2.5"), (41, "7.25"), (42, "1")] {
            let event = #"{"specversion":"1.0","id":"e\#(offset)","source":"s","type":"snapshot","subject":"a","#
                + #""time":"2026-11-05T10:00:00Z","data":{"gb":\#(gb)}}"#
            try Array(event.utf8).withUnsafeBytes { bytes in
                guard decoder.decode(bytes) == nil else { throw Invalid(json: event) }
                aggregator.aggregate(decoder, partition: 3, offset: Int64(offset))
            }
        }
        let delta = aggregator.drain()
        // 2026-11-05T10:00:00Z is 1793872800 s after the epoch; the latest event is offset 42.
        let full: Set<String> = [
            "a\tlow\t2026-11\t{}\t3\t0\t1\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N",
            "a\tpeak\t2026-11\t{}\t3\t0\t\\N\t7.25\t\\N\t\\N\t\\N\t\\N\t\\N",
            "a\tlast\t2026-11\t{}\t3\t0\t\\N\t\\N\t1\t1793872800\t0\t3\t42",
        ]
        #expect(Set(String(decoding: delta.totals.bytes, as: UTF8.self).split(separator: "\n").map(String.init)) == full)
        #expect(String(decoding: delta.additiveTotals.bytes, as: UTF8.self) == "a\tsnapshots\t2026-11\t{}\t3\t0\n")
        #expect(Set(delta.totalsInAllColumns()) == full.union(["a\tsnapshots\t2026-11\t{}\t3\t0" + String(repeating: "\t\\N", count: 7)]))
    }

    private struct Invalid: Error { let json: String }
}
