import Foundation

/// Every thread's stack of a running process, from gdb, for a test to say where a process is stuck.
enum ThreadStacks {
    /// The stacks (innermost 16 frames of each thread), or why there are none.
    static func of(pid: Int32) -> String {
        let gdb = URL(fileURLWithPath: "/usr/bin/gdb")
        guard FileManager.default.isExecutableFile(atPath: gdb.path) else { return "(no gdb on this machine)" }
        let process = Process()
        process.executableURL = gdb
        process.arguments = ["-p", "\(pid)", "-batch", "-nx", "-ex", "set pagination off", "-ex", "thread apply all bt 16"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return "(gdb did not start: \(error))" }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        // Frames only: gdb's banner and symbol-loading chatter say nothing about the stall.
        return text.split(separator: "\n").filter { $0.hasPrefix("#") || $0.hasPrefix("Thread ") }
            .joined(separator: "\n")
    }
}
