import OdometerService
import Foundation

/// What `bench` reports about the machine it ran on, and the process's peak memory.
public struct MachineFacts: Sendable, Codable {
    public var cores: Int
    public var cpu: String
    public var memoryGiB: Int

    public static func current() -> MachineFacts {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .flatMap { $0.split(separator: ":", maxSplits: 1).last }
            .map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown"
        return MachineFacts(cores: ProcessInfo.processInfo.activeProcessorCount, cpu: model,
                            memoryGiB: Int((Double(ProcessInfo.processInfo.physicalMemory) / 1_073_741_824).rounded()))
    }

    /// Starts a new peak: returns the memory malloc holds free to the system, then resets `VmHWM`
    /// to the current resident size (Linux ≥ 4.0: `5` in `/proc/self/clear_refs`), so the next
    /// `peakResidentBytes` covers only what ran in between, not, say, the producer's buffers.
    public static func resetPeakResident() {
        FreeMemory.returnToSystem()
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
    }

    /// The peak resident set size of this process so far (`VmHWM`), in bytes.
    public static func peakResidentBytes() -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kilobytes = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        else { return 0 }
        return kilobytes * 1024
    }
}
