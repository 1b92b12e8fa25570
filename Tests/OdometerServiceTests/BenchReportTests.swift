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
        let latency = try #require(object["latency_ms"] as? [String: Any])
        #expect(latency["p50"] as? Int == 0 && latency["p99"] as? Int == 0 && latency["note"] as? String == "no samples")
        #expect(object["peak_rss_bytes"] as? Int == 300 << 20)
        let results = try #require(object["results"] as? [[String: Any]])
        #expect(results.map { $0["name"] as? String } == ["source_ceiling", "end_to_end", "polars"])
        #expect(results[1]["events_per_s"] as? Int == 175_000)
        #expect(results[2]["skipped"] as? String == "polars is not installed")
        // The notes (flushes, rows written) are what an A/B of two binaries compares besides the rates.
        #expect(results[1]["note"] as? String == "dedup on, 5 flushes, \"quoted\"")
        #expect(results[0]["note"] == nil)
    }

    @Test func latencyAtALoadTheProducerDidNotReachComesWithASecondAtALoadItReaches() throws {
        var report = BenchReport(events: 2_000_000, accounts: 100_000, distribution: "zipf")
        report.latency = BenchLatency(offeredPerSecond: 1_000_000, achievedPerSecond: 551_234, p50Milliseconds: 404.4,
                                      p99Milliseconds: 713.6, samples: 7813)
        // 80% of 551,234 is 440,987: offered again at 440,000.
        #expect(report.latency?.reachableRate == 440_000)
        report.latencyAtReachedLoad = BenchLatency(offeredPerSecond: 440_000, achievedPerSecond: 431_000,
                                                   p50Milliseconds: 326, p99Milliseconds: 537, samples: 7813)
        #expect(report.latencyAtReachedLoad?.reachableRate == nil)
        let object = try #require(JSONSerialization.jsonObject(with: Data(report.json.utf8)) as? [String: Any])
        let latency = try #require(object["latency_ms"] as? [String: Any])
        #expect(latency["p50"] as? Int == 404)
        #expect(latency["p99"] as? Int == 714)
        #expect(latency["offered_per_s"] as? Int == 1_000_000)
        #expect(latency["achieved_per_s"] as? Int == 551_234)
        let reached = try #require(latency["at_reached_load"] as? [String: Any])
        #expect(reached["offered_per_s"] as? Int == 440_000)
        #expect(reached["achieved_per_s"] as? Int == 431_000)
        #expect(reached["p99"] as? Int == 537)
        #expect(report.table.contains("at a load the producer reaches beside the pipeline: p50 326 ms, p99 537 ms"))
    }

    @Test func aLoadReachedWithinFivePercentNeedsNoSecondMeasurement() {
        let reached = BenchLatency(offeredPerSecond: 400_000, achievedPerSecond: 381_000, p50Milliseconds: 271,
                                   p99Milliseconds: 534, samples: 3126)
        #expect(reached.reachedOffered)
        #expect(reached.reachableRate == nil)
        let short = BenchLatency(offeredPerSecond: 400_000, achievedPerSecond: 379_000, p50Milliseconds: 271,
                                 p99Milliseconds: 534, samples: 3126)
        #expect(short.reachableRate == 300_000)
    }

    @Test func repeatedEndToEndEndsTheTableWithItsSpreadInsteadOfLatencyAndMemory() {
        #expect(BenchReport.spread([0.380, 0.343, 0.353, 0.346]) == "median 0.346 (0.343 – 0.380)")
        #expect(BenchReport.spread([0.41, 0.39, 0.40]) == "median 0.400 (0.390 – 0.410)")
        #expect(BenchReport.spread([]) == "none")
        var report = BenchReport(events: 2_000_000, accounts: 100_000, distribution: "zipf")
        report.results = [.init(name: "end_to_end", eventsPerSecond: 1_020_000, ratio: 0.346, note: "repetition 1 of 2")]
        report.summary = "over 2 repetitions: end to end ÷ (a) median 0.346 (0.346 – 0.353)"
        #expect(report.table.hasSuffix("\nover 2 repetitions: end to end ÷ (a) median 0.346 (0.346 – 0.353)"))
        #expect(!report.table.contains("latency") && !report.table.contains("peak RSS"))
    }
}
