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
            let rows = String(decoding: delta.totals.bytes, as: UTF8.self).split(separator: "\n").map(String.init)
            #expect(Set(rows) == expected, "window \(window)")
            #expect(rows.count == 4 && delta.totals.rows == 4)
        }
    }

    private struct Invalid: Error { let json: String }
}
