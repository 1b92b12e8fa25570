import Foundation

/// Runs Debian's `promtool` (package `prometheus`, installed by deploy/setup-debian.sh).
public enum Promtool {
    public static let path = "/usr/bin/promtool"

    public struct Missing: Error, CustomStringConvertible {
        public var description: String { "\(Promtool.path) not found: install Debian's prometheus package (deploy/setup-debian.sh does)" }
    }

    /// `promtool check metrics` on `text`; its exit status and everything it printed.
    public static func checkMetrics(_ text: String) throws -> (status: Int32, output: String) {
        guard FileManager.default.isExecutableFile(atPath: path) else { throw Missing() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["check", "metrics"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        input.fileHandleForWriting.write(Data(text.utf8))
        try input.fileHandleForWriting.close()
        let printed = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: printed, as: UTF8.self))
    }
}
