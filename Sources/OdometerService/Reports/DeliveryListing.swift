import Foundation
public import PostgresStore

/// `odometer deliveries`: one row per outbox entry.
public struct DeliveryListing: Sendable {
    public let entries: [OutboxEntry]

    public init(entries: [OutboxEntry]) { self.entries = entries }

    public func render(json: Bool) -> String {
        if json {
            return entries.map { entry in
                "{\"id\":\(entry.id),\"destination\":\(UsageReport.quoted(entry.destination)),\"document\":\(UsageReport.quoted(entry.documentKey)),"
                    + "\"account\":\(UsageReport.quoted(entry.account)),\"period\":\(UsageReport.quoted(entry.period)),"
                    + "\"status\":\"\(entry.status.rawValue)\",\"attempts\":\(entry.attempts),"
                    + "\"remoteId\":\(entry.remoteId.map(UsageReport.quoted) ?? "null"),"
                    + "\"error\":\(entry.lastError.map(UsageReport.quoted) ?? "null")}"
            }.joined(separator: "\n")
        }
        guard !entries.isEmpty else { return "no deliveries" }
        let counts = Dictionary(grouping: entries) { "\($0.destination) \($0.status.rawValue)" }.mapValues(\.count)
        let table = TextTable(
            header: ["ID", "DESTINATION", "DOCUMENT", "ACCOUNT", "PERIOD", "STATUS", "ATTEMPTS", "REMOTE ID / ERROR"],
            rows: entries.map {
                [String($0.id), $0.destination, $0.documentKey, $0.account, $0.period, $0.status.rawValue,
                 String($0.attempts), $0.remoteId ?? $0.lastError ?? ""]
            }, rightAligned: [0, 6]).render()
        return table + "\n\n" + counts.keys.sorted().map { "\($0): \(counts[$0]!)" }.joined(separator: "\n")
    }
}
