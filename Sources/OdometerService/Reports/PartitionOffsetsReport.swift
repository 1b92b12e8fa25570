import Foundation
import KafkaClient
public import Logging
public import MeteringCore
public import PostgresNIO
public import PostgresStore

/// `odometer offsets`: every partition's stored offset, epoch and owner beside its log range in
/// Kafka, and whether the two agree (DESIGN §4, §5).
public struct PartitionOffsetsReport: Sendable {
    public struct Row: Sendable, Hashable {
        public var partition: Int32
        public var stored: StoredPartitionOffset?
        public var log: LogRange

        /// Messages in the log not yet committed.
        public var lag: Int64 { max(0, log.high - max(stored?.nextOffset ?? log.low, log.low)) }
        public var problem: OffsetProblem? {
            stored.flatMap { OffsetProblem(partition: partition, storedOffset: $0.nextOffset, log: log) }
        }
        public var state: String {
            switch (stored, problem?.kind) {
            case (nil, _): "never claimed"
            case (_, .belowLogStart?): "below log start"
            case (_, .pastLogEnd?): "past log end"
            case (_, nil): "ok"
            }
        }
    }

    public let group: String
    public let topic: String
    public let rows: [Row]

    /// Reads Kafka's log ranges and Postgres's offsets of `topic` for `group`.
    public static func read(source: PeriodCloser.WatermarkSource, postgres: PostgresClient,
                            logger: Logger) async throws -> PartitionOffsetsReport {
        let logs = try Self.logRanges(source: source)
        let stored = try await PartitionOffsetStore(client: postgres, logger: logger).rows(group: source.group, topic: source.topic)
        let rows = logs.keys.sorted().map { Row(partition: $0, stored: stored[$0], log: logs[$0]!) }
        return PartitionOffsetsReport(group: source.group, topic: source.topic, rows: rows)
    }

    /// The log range of every partition of the topic; an unreachable Kafka is an environment error.
    static func logRanges(source: PeriodCloser.WatermarkSource) throws -> [Int32: LogRange] {
        do {
            return try KafkaTopicInspector(bootstrapServers: source.brokers, properties: source.kafkaProperties, logger: nil)
                .watermarks(topic: source.topic).mapValues { LogRange(low: $0.low, high: $0.high) }
        } catch let error as KafkaError {
            if case .unknownTopic = error { throw OdometerFailure.user(error.description) }
            throw OdometerFailure.environment(error.description)
        }
    }

    public func render(json: Bool) -> String {
        if json {
            return rows.map { row in
                let stored = row.stored
                return "{\"topic\":\(UsageReport.quoted(topic)),\"partition\":\(row.partition),"
                    + "\"nextOffset\":\(stored.map { String($0.nextOffset) } ?? "null"),"
                    + "\"epoch\":\(stored.map { String($0.epoch) } ?? "null"),"
                    + "\"owner\":\(stored.map { UsageReport.quoted($0.owner) } ?? "null"),"
                    + "\"logStart\":\(row.log.low),\"logEnd\":\(row.log.high),\"lag\":\(row.lag),"
                    + "\"coveredAppendMs\":\(stored?.coveredAppendMilliseconds.map(String.init) ?? "null"),"
                    + "\"state\":\(UsageReport.quoted(row.state))}"
            }.joined(separator: "\n")
        }
        let table = TextTable(
            header: ["PARTITION", "NEXT OFFSET", "EPOCH", "LOG START", "LOG END", "LAG", "STATE", "OWNER"],
            rows: rows.map { row in
                [String(row.partition), row.stored.map { String($0.nextOffset) } ?? "-",
                 row.stored.map { String($0.epoch) } ?? "-", String(row.log.low), String(row.log.high), String(row.lag),
                 row.state, row.stored?.owner ?? ""]
            }, rightAligned: [0, 1, 2, 3, 4, 5]).render()
        let problems = rows.compactMap(\.problem).map(\.description)
        return ([table] + problems).joined(separator: "\n")
    }
}

/// `odometer offsets reset`: an operator's decision, recorded (DESIGN §5).
public enum PartitionOffsetReset {
    /// Where to move a partition: its log start, its log end, or an offset inside the log.
    public enum Target: Sendable, Hashable {
        case earliest, latest
        case offset(Int64)

        public init?(_ text: String) {
            switch text {
            case "earliest": self = .earliest
            case "latest": self = .latest
            default:
                guard let offset = Int64(text), offset >= 0 else { return nil }
                self = .offset(offset)
            }
        }
    }

    /// Applies and records the reset; returns one line that says what it means for the totals.
    public static func apply(partition: Int32, to target: Target, requested: String,
                             source: PeriodCloser.WatermarkSource, postgres: PostgresClient,
                             logger: Logger) async throws -> String {
        guard let log = try PartitionOffsetsReport.logRanges(source: source)[partition] else {
            throw OdometerFailure.user("topic `\(source.topic)` has no partition \(partition)")
        }
        let offset: Int64 = switch target {
        case .earliest: log.low
        case .latest: log.high
        case .offset(let offset): offset
        }
        guard (log.low...log.high).contains(offset) else {
            throw OdometerFailure.user("offset \(offset) is outside partition \(partition)'s log \(log); "
                                       + "pick one in \(log.low)...\(log.high), or earliest or latest")
        }
        let person = ProcessInfo.processInfo.environment["USER"] ?? "unknown"
        let reset = try await OffsetResetStore(client: postgres, logger: logger).reset(
            group: source.group, topic: source.topic, partition: partition, to: offset, requested: requested,
            log: log, by: person)
        let effect: String
        switch reset.from {
        case nil: effect = "it had never been claimed"
        case let from? where from < offset:
            let deleted = max(0, min(offset, log.low) - from)
            effect = "\(offset - from) offsets are skipped (\(deleted) of them were already deleted by retention)"
        case let from? where from > offset:
            effect = "offsets \(offset)..<\(from) will be metered AGAIN and counted twice in the totals"
        default: effect = "no offset is skipped or re-read"
        }
        return "partition \(partition) of \(source.topic): next offset \(reset.from.map(String.init) ?? "-") → \(offset) "
            + "(log \(log)); \(effect); recorded as reset #\(reset.recordID), epoch \(reset.epoch)"
    }
}
