import OdometerService
import Foundation

/// The result of `odometer bench`: the JSON object of DESIGN §8 and a table for people.
/// Every `ratio` is relative to `source_ceiling` of the same run.
public struct BenchReport: Sendable {
    public struct Result: Sendable {
        public var name: String
        public var eventsPerSecond: Double?
        public var rowsPerSecond: Double?
        public var megabytesPerSecond: Double?
        public var ratio: Double?
        public var skipped: String?
        public var note: String?
    }

    public var machine = MachineFacts.current()
    public var events: Int
    public var accounts: Int
    public var distribution: String
    public var results: [Result] = []
    /// Latency at the offered load (`--latency-rate`), nil if nothing was sampled.
    public var latency: BenchLatency?
    /// When the producer could not reach that load beside the pipeline: latency again at a load
    /// it reaches (`BenchLatency.reachableRate`), so one figure is at a load offered and achieved.
    public var latencyAtReachedLoad: BenchLatency?
    /// A line under the table for a run that repeated a phase (`BenchRun.Options.endToEndRepetitions`).
    public var summary: String?
    /// Peak resident set of the process through the end-to-end run (DESIGN §8 `peak_rss_bytes`).
    public var peakResidentBytes = 0
    /// The keys (account, meter, period, dimensions) the end-to-end run held.
    public var activeKeys = 0
    /// Ids the end-to-end run's dedup windows held at its end, and the memory they took.
    public var dedupRememberedIds = 0
    public var dedupBytes = 0

    var dedupBytesPerId: Double { dedupRememberedIds == 0 ? 0 : Double(dedupBytes) / Double(dedupRememberedIds) }

    public var json: String {
        func number(_ value: Double) -> String { value.rounded() == value && abs(value) < 1e15 ? String(Int(value)) : String(format: "%.4f", value) }
        let results = self.results.map { result -> String in
            var fields = ["\"name\": \"\(result.name)\""]
            if let value = result.eventsPerSecond { fields.append("\"events_per_s\": \(Int(value.rounded()))") }
            if let value = result.rowsPerSecond { fields.append("\"rows_per_s\": \(Int(value.rounded()))") }
            if let value = result.megabytesPerSecond { fields.append("\"mb_per_s\": \(number((value * 10).rounded() / 10))") }
            if let value = result.ratio { fields.append("\"ratio\": \(String(format: "%.3f", value))") }
            if let skipped = result.skipped { fields.append("\"skipped\": \(UsageReport.quoted(skipped))") }
            if let note = result.note { fields.append("\"note\": \(UsageReport.quoted(note))") }
            return "{" + fields.joined(separator: ", ") + "}"
        }
        return """
            {"machine": {"cores": \(machine.cores), "cpu": \(UsageReport.quoted(machine.cpu)), "memoryGiB": \(machine.memoryGiB)},
             "events": \(events), "accounts": \(accounts), "distribution": "\(distribution)",
             "results": [
               \(results.joined(separator: ",\n   "))],
             "latency_ms": \(latencyJSON), "peak_rss_bytes": \(peakResidentBytes),
             "dedup": {"remembered_ids": \(dedupRememberedIds), "bytes": \(dedupBytes), "bytes_per_id": \(String(format: "%.1f", dedupBytesPerId))}}
            """
    }

    /// DESIGN §8's `latency_ms` (`p50`, `p99`), with the loads beside them, and the measurement
    /// at a reached load as `at_reached_load` when there is one.
    private var latencyJSON: String {
        guard let latency else { return "{\"p50\": 0, \"p99\": 0, \"note\": \"no samples\"}" }
        let reached = latencyAtReachedLoad.map { ", \"at_reached_load\": {\($0.jsonFields)}" } ?? ""
        return "{\(latency.jsonFields)\(reached)}"
    }

    public var table: String {
        let rows = results.map { result -> [String] in
            let rate = result.eventsPerSecond.map { Self.rate($0) + " events/s" }
                ?? result.rowsPerSecond.map { Self.rate($0) + " rows/s" } ?? "-"
            return [result.name, result.skipped == nil ? rate : "skipped",
                    result.megabytesPerSecond.map { String(format: "%.0f MB/s", $0) } ?? "",
                    result.ratio.map { String(format: "%.3f", $0) } ?? "",
                    result.skipped ?? result.note ?? ""]
        }
        let head = """
            machine: \(machine.cores) cores, \(machine.cpu), \(machine.memoryGiB) GiB
            workload: \(events) events, \(accounts) accounts, \(distribution)

            \(TextTable(header: ["FIGURE", "RATE", "", "RATIO", "NOTE"], rows: rows, rightAligned: [1, 2, 3]).render())

            """
        if let summary { return head + summary }
        return head + """
            latency from append to committed total: \(latency?.sentence ?? "no samples")\(latencyAtReachedLoad.map {
                "\nat a load the producer reaches beside the pipeline: " + $0.sentence } ?? "")
            peak RSS through end to end: \(peakResidentBytes / 1_048_576) MiB with \(activeKeys) active keys
            dedup window at the end: \(dedupRememberedIds) ids in \(dedupBytes / 1_048_576) MiB \
            (\(String(format: "%.1f", dedupBytesPerId)) bytes per id)
            """
    }

    /// Results are listed in the order of DESIGN §8, whatever order they were measured in.
    static func order(of name: String) -> Int {
        ["source_ceiling", "decode", "aggregate", "end_to_end", "end_to_end_no_dedup", "dedup_rebuild", "sink_ceiling", "flush",
         "compaction",
         "duckdb", "polars", "naive_upsert"]
            .firstIndex(of: name) ?? Int.max
    }

    /// The median (the lower of the middle two for an even count), least and greatest of `ratios`.
    static func spread(_ ratios: [Double]) -> String {
        let sorted = ratios.sorted()
        guard let least = sorted.first, let greatest = sorted.last else { return "none" }
        return String(format: "median %.3f (%.3f – %.3f)", sorted[(sorted.count - 1) / 2], least, greatest)
    }

    static func rate(_ value: Double) -> String {
        if value >= 1_000_000 { return String(format: "%.2f M", value / 1_000_000) }
        if value >= 10_000 { return String(format: "%.0f k", value / 1000) }
        return String(format: "%.0f", value)
    }
}
