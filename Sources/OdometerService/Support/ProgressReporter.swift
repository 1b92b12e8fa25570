import Foundation

/// Progress of a long-running command on standard error: a bar redrawn in place on a TTY,
/// plain lines otherwise (CI logs, pipes). Thread-safe enough for one reporting task.
public struct ProgressReporter: Sendable {
    public let isTerminal: Bool
    public let enabled: Bool

    public init(enabled: Bool = true) {
        self.enabled = enabled
        isTerminal = isatty(STDERR_FILENO) == 1
    }

    /// Reports `done` of `total` for `task`.
    public func update(_ task: String, done: Int, total: Int) {
        guard enabled else { return }
        let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 1
        if isTerminal {
            let width = 30
            let filled = Int(fraction * Double(width))
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            FileHandle.standardError.write(Data("\r\(task) \(bar) \(done)/\(total)\u{1B}[K".utf8))
            if done >= total { FileHandle.standardError.write(Data("\n".utf8)) }
        } else {
            FileHandle.standardError.write(Data("\(task): \(done)/\(total) (\(Int(fraction * 100))%)\n".utf8))
        }
    }

    /// A one-line status message.
    public func note(_ message: String) {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\(message)\n".utf8))
    }
}
