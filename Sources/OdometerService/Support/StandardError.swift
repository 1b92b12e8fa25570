import Foundation

/// Lines for a person on standard error (progress, a command's one-line failure). Best effort:
/// a closed standard error (`2>&-`) must neither stop the work nor change a command's exit
/// code, and the non-throwing `FileHandle.write(_:)` traps on such an error (SIGILL, before any
/// cleanup, exit 132).
public enum StandardError {
    public static func write(_ text: String) {
        try? FileHandle.standardError.write(contentsOf: Data(text.utf8))
    }
}
