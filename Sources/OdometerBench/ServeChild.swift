import OdometerService
import Foundation

/// `odometer serve` as a child process of the sustained run, with a configuration of the bench's
/// workload (the meters of `UsageWorkload.meters`), so its memory can be read on its own.
final class ServeChild: @unchecked Sendable {
    // @unchecked Sendable is safe: `process` is started in init and afterwards only signalled and
    // read (its pid, whether it runs), which Foundation's Process allows from any thread.
    private let process = Process()
    private let directory: URL

    /// - Parameters:
    ///   - topic: read from `<topic>`, dead letters to `<topic>.dlq`, group `bench-<topic>`.
    ///   - pipeline: extra `pipeline` settings, e.g. `dedupWindow: 10s`.
    init(brokers: String, databaseURL: String, topic: String, shards: Int, pipeline: String = "") throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("odometer-sustained-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let config = directory.appendingPathComponent("odometer.yaml")
        // The meters of UsageWorkload.meters, which the recount follows.
        try """
            kafka: { brokers: "\(brokers)", topic: \(topic), group: bench-\(topic), sessionTimeoutMs: 6000 }
            postgres: { url: "\(databaseURL)" }
            pipeline: { shards: \(shards)\(pipeline.isEmpty ? "" : ", " + pipeline) }
            http: { listen: "127.0.0.1:0" }
            meters:
              - { slug: api_calls, eventType: api_request, aggregation: COUNT }
              - { slug: api_tokens, eventType: api_request, aggregation: SUM, valueProperty: "$.tokens", groupBy: { model: "$.model" } }
              - { slug: compute_seconds, eventType: compute_job, aggregation: SUM, valueProperty: "$.seconds", groupBy: { region: "$.region" } }
              - { slug: storage_gb, eventType: storage_snapshot, aggregation: MAX, valueProperty: "$.gb" }
              - { slug: active_users, eventType: user_login, aggregation: UNIQUE_COUNT, valueProperty: "$.user" }
            """.write(to: config, atomically: true, encoding: .utf8)
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = ["serve", "--config", config.path]
        var environment = ProcessInfo.processInfo.environment
        environment["ODOMETER_LOG_LEVEL"] = "warning"
        process.environment = environment
        let errors = directory.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: errors)
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    var isRunning: Bool { process.isRunning }
    var errorText: String { (try? String(contentsOf: directory.appendingPathComponent("stderr"), encoding: .utf8)) ?? "" }
    var residentBytes: Int { status("VmRSS:") }
    var peakResidentBytes: Int { status("VmHWM:") }

    /// Starts a new peak for `peakResidentBytes` (Linux ≥ 4.0: `5` in the child's `clear_refs`).
    func resetPeakResident() {
        try? "5".write(toFile: "/proc/\(process.processIdentifier)/clear_refs", atomically: false, encoding: .utf8)
    }

    /// SIGTERM, then waits for the graceful stop.
    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    private func status(_ field: String) -> Int {
        let text = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)) ?? ""
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(field) }),
              let kilobytes = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        else { return 0 }
        return kilobytes * 1024
    }
}
