public import Foundation
public import MeteringCore
import OdometerConfig
public import PostgresStore

/// An operator's input that cannot be used, naming the parameter and what it must be. The CLI
/// reports it as `--name …` (exit code 1), the HTTP API as a 400 with `{"error": …}`.
public struct OperatorInputError: Error, Sendable, Equatable, CustomStringConvertible {
    public var parameter: String
    public var requirement: String

    public var description: String { "\(parameter) \(requirement)" }
}

/// Parses what operators type, once for the CLI and the HTTP API, so both accept the same
/// values with the same messages. `parameter` is how the caller names it (`--period`, `period`).
public enum OperatorInput {
    public static func period(_ text: String, parameter: String) throws(OperatorInputError) -> BillingPeriod {
        guard let period = BillingPeriod(text) else {
            throw OperatorInputError(parameter: parameter, requirement: "must be YYYY-MM, e.g. 2026-11")
        }
        return period
    }

    public static func outboxStatus(_ text: String, parameter: String) throws(OperatorInputError) -> OutboxStatus {
        guard let status = OutboxStatus(rawValue: text) else {
            throw OperatorInputError(parameter: parameter, requirement: "must be pending, failed or delivered")
        }
        return status
    }

    /// A point in time: RFC 3339 (`2026-12-02T10:00:00Z`), or a duration before `now`
    /// (`90m`, `2h`, `1d`).
    public static func instant(_ text: String, parameter: String, now: Date) throws(OperatorInputError) -> Date {
        if let time = RFC3339.parse(text) {
            return Date(timeIntervalSince1970: Double(time.seconds) + Double(time.nanoseconds) / 1e9)
        }
        if let duration = DurationText.parse(text) {
            return now.addingTimeInterval(-Double(duration.components.seconds))
        }
        throw OperatorInputError(parameter: parameter,
                                 requirement: "must be an RFC 3339 time (2026-12-02T10:00:00Z) or a duration before now (90m, 2h, 1d)")
    }

    /// A flag given as text (`true`, `false`, `1`, `0`, or empty for true).
    public static func flag(_ text: String?, parameter: String) throws(OperatorInputError) -> Bool {
        switch text?.lowercased() {
        case nil: return false
        case "", "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw OperatorInputError(parameter: parameter, requirement: "must be true or false")
        }
    }
}
