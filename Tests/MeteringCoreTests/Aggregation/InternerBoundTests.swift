import Testing
@testable import MeteringCore

/// A shard that sees new subjects and values in every window keeps only about one window's
/// worth of them interned (issue 14), and every window's totals stay exact through the rebuilds.
@Suite struct InternerBoundTests {
    @Test func windowsOfAllNewValuesKeepTheInternersBoundedAndTheTotalsExact() throws {
        let catalog = DecoderFixture.catalog
        let decoder = EventDecoder(catalog: catalog)
        let aggregator = ShardAggregator(catalog: catalog, directory: try AccountDirectory(accounts: []))
        var largest = (subjects: 0, values: 0, dimensionSets: 0)
        for window in 0..<8 {
            // 3,000 new accounts, each with 4 logins of new users and one request of a new model.
            for account in 0..<3_000 {
                for login in 0..<4 {
                    let json = DecoderFixture.event(type: "login", subject: "\"w\(window)-a\(account)\"",
                                                    data: #"{"user":"w\#(window)-u\#(account)-\#(login)"}"#)
                    try meter(json, decoder: decoder, aggregator: aggregator)
                }
                let request = DecoderFixture.event(subject: "\"w\(window)-a\(account)\"",
                                                   data: #"{"tokens":2,"model":"w\#(window)-m\#(account % 50)"}"#)
                try meter(request, decoder: decoder, aggregator: aggregator)
            }
            let delta = aggregator.drain()
            let rows = delta.totalsInAllColumns()
            // Per account: one users row, one tokens row (its model), one calls row.
            #expect(rows.count == 9_000)
            #expect(rows.filter { $0.contains("\tusers\t") }.allSatisfy { $0.split(separator: "\t")[4] == "4" })
            #expect(rows.filter { $0.contains("\tapi_tokens\t") }.allSatisfy {
                $0.split(separator: "\t")[0].hasPrefix("w\(window)-") && $0.contains("\"w\(window)-m")
            })
            #expect(delta.uniqueValues.rows == 12_000)
            // Each member is its account's user, after any rebuild of the ids.
            #expect(String(decoding: delta.uniqueValues.bytes, as: UTF8.self).split(separator: "\n").allSatisfy { row in
                let columns = row.split(separator: "\t")
                return columns.last!.hasPrefix(String(columns[0].replacingOccurrences(of: "-a", with: "-u")) + "-")
            })
            let counts = aggregator.internedCounts
            largest = (max(largest.subjects, counts.subjects), max(largest.values, counts.values),
                       max(largest.dimensionSets, counts.dimensionSets))
        }
        // Eight windows interned 24,000 accounts and 96,000 users; what stays is bounded by the floor
        // below which nothing is rebuilt, or by about three windows' worth.
        #expect(largest.subjects <= ShardAggregator.compactionFloor + 2 * 3_000)
        #expect(largest.values <= 3 * 12_050)
        #expect(largest.dimensionSets <= ShardAggregator.compactionFloor + 50)
    }

    /// The subject is interned (and its slot prefetched while decoding) by its decoded text: a
    /// subject written with escapes is the same subject as its plain spelling, whichever comes first.
    @Test func aSubjectIsOneSubjectWhetherWrittenWithEscapesOrNot() throws {
        let decoder = EventDecoder(catalog: DecoderFixture.catalog)
        let aggregator = ShardAggregator(catalog: DecoderFixture.catalog, directory: try AccountDirectory(accounts: []))
        for subject in [#""acct-7""#, #""acct\u002d7""#, #""acct-7""#, #""\u0061cct-7""#, #""acct-8""#] {
            try meter(DecoderFixture.event(type: "ping", subject: subject), decoder: decoder, aggregator: aggregator)
        }
        #expect(aggregator.internedCounts.subjects == 2)
        let rows = aggregator.drain().totalsInAllColumns()
        #expect(rows.map { $0.split(separator: "\t")[0] }.sorted() == ["acct-7", "acct-8"])
        #expect(rows.first { $0.hasPrefix("acct-7\t") }?.split(separator: "\t")[4] == "4")
    }

    private func meter(_ json: String, decoder: EventDecoder, aggregator: ShardAggregator) throws {
        let bytes = Array(json.utf8)
        try bytes.withUnsafeBytes { buffer in
            guard decoder.decode(buffer) == nil else { throw Invalid(json: json) }
            aggregator.aggregate(decoder, partition: 0, offset: 0)
        }
    }

    private struct Invalid: Error { let json: String }
}
