public import Foundation

/// What `dlq replay` re-produces: every dead letter appended at or after `since` (Kafka append
/// time) whose `odometer-reason` is `reason`, or all of them; with `dryRun`, nothing is produced.
public struct DeadLetterReplayRequest: Sendable, Equatable {
    public var since: Date?
    public var reason: String?
    public var dryRun: Bool

    public init(since: Date? = nil, reason: String? = nil, dryRun: Bool = false) {
        self.since = since
        self.reason = reason
        self.dryRun = dryRun
    }

    /// Whether a dead letter with this reason header and append time (Unix ms) is selected.
    /// A dead letter without an append time is selected only when `since` is not given.
    public func selects(reason: String?, appendedMilliseconds: Int64?) -> Bool {
        if let wanted = self.reason, wanted != reason { return false }
        guard let since else { return true }
        guard let appendedMilliseconds else { return false }
        return appendedMilliseconds >= Int64((since.timeIntervalSince1970 * 1000).rounded(.up))
    }
}

/// One selected dead letter, as the report lists it.
public struct DeadLetterRecord: Sendable, Equatable {
    /// Its place in the dead-letter topic.
    public var partition: Int32
    public var offset: Int64
    public var appendedMilliseconds: Int64?
    /// The `odometer-reason` header; nil if missing (not written by Odometer).
    public var reason: String?
    /// Where the event was first read (`odometer-source-partition`, `odometer-source-offset`).
    public var sourcePartition: Int32?
    public var sourceOffset: Int64?
}

/// What `dlq replay` did, or with `dryRun` would do.
public struct DeadLetterReplayReport: Sendable, Equatable {
    public var dryRun: Bool
    public var deadLetterTopic: String
    public var topic: String
    /// Dead letters read (the whole topic, from each partition's low to its high watermark at the start).
    public var scanned = 0
    /// Selected dead letters by reason; their sum was replayed (or, in a dry run, would be).
    public var byReason: [String: Int] = [:]
    /// The selected dead letters, at most `listLimit` of them, in topic order.
    public var listed: [DeadLetterRecord] = []

    public static let listLimit = 1000

    public var selected: Int { byReason.values.reduce(0, +) }
    public var replayed: Int { dryRun ? 0 : selected }
}
