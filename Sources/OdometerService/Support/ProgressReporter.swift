import Foundation
import Synchronization

/// Progress of a long-running command on standard error: a bar redrawn in place on a TTY (at
/// most ten times a second), plain lines otherwise (CI logs, pipes), one per tenth of the way.
/// Thread-safe.
public final class ProgressReporter: Sendable {
    public let isTerminal: Bool
    public let enabled: Bool
    private let last = Mutex<(task: String, step: Int, at: ContinuousClock.Instant)>(("", -1, .now))

    public init(enabled: Bool = true) {
        self.enabled = enabled
        isTerminal = isatty(STDERR_FILENO) == 1
    }

    /// Reports `done` of `total` for `task`.
    public func update(_ task: String, done: Int, total: Int) {
        guard enabled else { return }
        let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 1
        let finished = done >= total
        let step = Int(fraction * 10)
        let now = ContinuousClock.now
        let due = last.withLock { last -> Bool in
            let changedTask = last.task != task
            let due = isTerminal
                ? changedTask || finished || last.at.duration(to: now) >= .milliseconds(100)
                : changedTask || step > last.step
            if due { last = (task, step, now) }
            return due
        }
        guard due else { return }
        if isTerminal {
            let width = 30
            let filled = Int(fraction * Double(width))
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            write("\r\(task) \(bar) \(done)/\(total)\u{1B}[K" + (finished ? "\n" : ""))
        } else {
            write("\(task): \(done)/\(total) (\(Int(fraction * 100))%)\n")
        }
    }

    /// A one-line status message.
    public func note(_ message: String) {
        guard enabled else { return }
        write("\(message)\n")
    }

    /// Progress is a courtesy: a closed standard error must not stop the work (`StandardError`).
    private func write(_ text: String) {
        StandardError.write(text)
    }
}
