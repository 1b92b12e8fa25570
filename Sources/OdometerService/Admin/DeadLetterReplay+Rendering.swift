import Foundation
import MeteringCore

extension DeadLetterReplayReport {
    /// For people: one line per listed dead letter in a dry run, then the summary.
    public var text: String {
        var lines: [String] = []
        if dryRun {
            lines += listed.map { record in
                let source = record.sourcePartition.map { "partition \($0) offset \(record.sourceOffset.map(String.init) ?? "?")" }
                    ?? "unknown source"
                return "would replay \(deadLetterTopic)[\(record.partition)]@\(record.offset) "
                    + "(\(record.reason ?? "no reason header"), from \(source), appended \(Self.time(record.appendedMilliseconds)))"
            }
            if selected > listed.count { lines.append("… and \(selected - listed.count) more") }
        }
        let reasons = byReason.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
        let verb = dryRun ? "dry run: would replay" : "replayed"
        lines.append("\(verb) \(selected) of \(scanned) dead letters from \(deadLetterTopic) to \(topic)"
                     + (reasons.isEmpty ? "" : " (\(reasons))"))
        return lines.joined(separator: "\n")
    }

    /// One JSON object: `{"dryRun","deadLetterTopic","topic","scanned","selected","replayed","byReason":{},"deadLetters":[…]}`.
    public var json: String {
        let reasons = byReason.sorted { $0.key < $1.key }.map { "\(UsageReport.quoted($0.key)):\($0.value)" }
        let records = listed.map { record in
            "{\"partition\":\(record.partition),\"offset\":\(record.offset),"
                + "\"reason\":\(record.reason.map(UsageReport.quoted) ?? "null"),"
                + "\"sourcePartition\":\(record.sourcePartition.map(String.init) ?? "null"),"
                + "\"sourceOffset\":\(record.sourceOffset.map(String.init) ?? "null"),"
                + "\"appendedAt\":\(record.appendedMilliseconds.map { UsageReport.quoted(Self.time($0)) } ?? "null")}"
        }
        return "{\"dryRun\":\(dryRun),\"deadLetterTopic\":\(UsageReport.quoted(deadLetterTopic)),"
            + "\"topic\":\(UsageReport.quoted(topic)),\"scanned\":\(scanned),\"selected\":\(selected),"
            + "\"replayed\":\(replayed),\"byReason\":{\(reasons.joined(separator: ","))},"
            + "\"deadLetters\":[\(records.joined(separator: ","))]}"
    }

    private static func time(_ milliseconds: Int64?) -> String {
        guard let milliseconds else { return "unknown" }
        let seconds = milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000
        let nanos = Int32((milliseconds - seconds * 1000) * 1_000_000)
        return RFC3339.format(EventTime(seconds: seconds, nanoseconds: nanos))
    }
}
