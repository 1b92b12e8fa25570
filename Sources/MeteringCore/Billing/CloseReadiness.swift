/// Whether a period may close, measured on arrival (DESIGN §6): for every partition of the
/// topic, the committed offsets must cover every message appended before the period's end plus
/// the grace period (in every closing account's time zone), or reach the partition's high
/// watermark. An idle or caught-up partition never blocks; a partition never consumed does,
/// if it holds messages; and an event's own time counts for nothing, so one future-dated
/// event cannot make a period ready.
///
/// "Covered" uses Kafka's message timestamps, which only move forward on a topic with
/// `message.timestamp.type=LogAppendTime`: once a partition has committed a message appended at
/// or after the deadline, everything appended before it is committed too. Pure; a value.
public struct CloseReadiness: Equatable, Sendable {
    /// What Postgres and Kafka say of one partition.
    public struct PartitionProgress: Equatable, Sendable {
        public var partition: Int32
        /// The committed next offset (the log start for a partition never claimed).
        public var nextOffset: Int64
        /// The greatest append time (Unix ms) of the committed messages, if any was recorded.
        public var coveredAppendMilliseconds: Int64?
        public var log: LogRange

        public init(partition: Int32, nextOffset: Int64, coveredAppendMilliseconds: Int64?, log: LogRange) {
            self.partition = partition
            self.nextOffset = nextOffset
            self.coveredAppendMilliseconds = coveredAppendMilliseconds
            self.log = log
        }
    }

    /// A partition that has not metered everything appended before the deadline.
    public struct Behind: Equatable, Sendable, CustomStringConvertible {
        public var partition: Int32
        /// Messages in the log not yet committed (an upper bound of those before the deadline).
        public var uncommittedMessages: Int64

        public var description: String { "partition \(partition) (\(uncommittedMessages) messages not yet metered)" }
    }

    /// Messages appended before this instant (Unix ms) must be committed.
    public let deadlineMilliseconds: Int64
    /// The partitions holding the close back, by partition.
    public let behind: [Behind]

    public var isReady: Bool { behind.isEmpty }

    public init(period: BillingPeriod, calendars: [PeriodCalendar], gracePeriod: Duration,
                partitions: [PartitionProgress]) {
        let latestEnd = (calendars.isEmpty ? [PeriodCalendar.utc] : calendars)
            .map { $0.bounds(of: period).end.seconds }.max()!
        let grace = gracePeriod.components
        deadlineMilliseconds = latestEnd * 1000 + grace.seconds * 1000 + grace.attoseconds / 1_000_000_000_000_000
        behind = partitions.sorted { $0.partition < $1.partition }.compactMap { [deadlineMilliseconds] progress in
            let caughtUp = progress.nextOffset >= progress.log.high
            let covered = (progress.coveredAppendMilliseconds ?? .min) >= deadlineMilliseconds
            guard !caughtUp && !covered else { return nil }
            return Behind(partition: progress.partition,
                          uncommittedMessages: progress.log.high - max(progress.nextOffset, progress.log.low))
        }
    }
}
