import Foundation
import Logging

/// Logging for the CLI: warnings and errors on standard error by default; `ODOMETER_LOG_LEVEL`
/// (trace, debug, info, notice, warning, error, critical) changes the level.
enum CommandLogging {
    static func logger(label: String = "odometer") -> Logger {
        var logger = Logger(label: label) { StreamLogHandler.standardError(label: $0) }
        let level = ProcessInfo.processInfo.environment["ODOMETER_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:))
        logger.logLevel = level ?? .warning
        return logger
    }
}
