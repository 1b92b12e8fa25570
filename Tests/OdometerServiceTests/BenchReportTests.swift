import Foundation
@testable import OdometerService
@testable import OdometerBench
import Testing

/// `odometer bench --json` is a contract (DESIGN §8): its shape is checked here; its figures
/// are measurements and are checked by nobody's stopwatch.
@Suite struct BenchReportTests {
    @Test func theJSONHasTheContractsFieldsInTheContractsOrder() throws {
        var report = BenchReport(events: 2_000_000, accounts: 100_000, distribution: "zipf")
        report.results = [
            .init(name: "end_to_end", eventsPerSecond: 175_000, ratio: 0.09, note: "dedup on, 5 flushes, \"quoted\""),
            .init(name: "source_ceiling", eventsPerSecond: 1_870_000, megabytesPerSecond: 323, ratio: 1),
            .init(name: "polars", skipped: "polars is not installed"),
        ]
        report.results.sort { BenchReport.order(of: $0.name) < BenchReport.order(of: $1.name) }
        report.peakResidentBytes = 300 << 20
        let object = try #require(JSONSerialization.jsonObject(with: Data(report.json.utf8)) as? [String: Any])
        #expect(object["events"] as? Int == 2_000_000)
        #expect(object["distribution"] as? String == "zipf")
        #expect((object["machine"] as? [String: Any])?["cores"] is Int)
        #expect((object["latency_ms"] as? [String: Any])?["p99"] != nil)
        #expect(object["peak_rss_bytes"] as? Int == 300 << 20)
        let results = try #require(object["results"] as? [[String: Any]])
        #expect(results.map { $0["name"] as? String } == ["source_ceiling", "end_to_end", "polars"])
        #expect(results[1]["events_per_s"] as? Int == 175_000)
        #expect(results[2]["skipped"] as? String == "polars is not installed")
        // The notes (flushes, rows written) are what an A/B of two binaries compares besides the rates.
        #expect(results[1]["note"] as? String == "dedup on, 5 flushes, \"quoted\"")
        #expect(results[0]["note"] == nil)
    }
}
