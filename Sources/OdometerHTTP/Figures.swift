import Foundation
import MeteringCore

/// How the status page writes numbers, times and text: digits grouped by thousands, rates
/// with one decimal below 100, times in UTC, everything HTML-escaped.
enum Figures {
    /// `1234567` → `1,234,567`.
    static func count<Number: BinaryInteger>(_ value: Number) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return (value < 0 ? "-" : "") + out
    }

    /// Events per second: `0`, `8.5`, `1,234`.
    static func rate(_ value: Double) -> String {
        guard value.isFinite, value > 0 else { return "0" }
        if value < 100 { return String(format: "%.1f", value) }
        return count(Int64(value.rounded()))
    }

    /// A compact axis label: `950`, `1.2k`, `3.4M`.
    static func compact(_ value: Double) -> String {
        switch value {
        case 1_000_000...: String(format: "%.1fM", value / 1_000_000)
        case 1_000...: String(format: "%.1fk", value / 1_000)
        case 10...: String(Int(value.rounded()))
        default: String(format: "%.1f", value)
        }
    }

    /// Milliseconds of a duration, `0.4 ms`, `12 ms`, `1.3 s`.
    static func duration(_ duration: Duration) -> String {
        let milliseconds = Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
        if milliseconds < 10 { return String(format: "%.1f ms", milliseconds) }
        if milliseconds < 1000 { return "\(Int(milliseconds.rounded())) ms" }
        return String(format: "%.1f s", milliseconds / 1000)
    }

    /// `2026-12-02 16:40:05 UTC`.
    static func time(_ date: Date) -> String {
        let text = RFC3339.format(EventTime(seconds: Int64(date.timeIntervalSince1970.rounded(.down))))
        return text.replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: " UTC")
    }

    /// An event time in seconds, as `2026-10-31 23:59:59 UTC`.
    static func eventTime(_ seconds: Int64) -> String { time(Date(timeIntervalSince1970: Double(seconds))) }

    /// `one` for 1, else `many` with `%d` replaced by the grouped count.
    static func plural(_ value: Int, _ one: String, _ many: String) -> String {
        value == 1 ? one : many.replacingOccurrences(of: "%d", with: count(value))
    }

    /// Text safe inside HTML elements and attribute values.
    static func html(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
