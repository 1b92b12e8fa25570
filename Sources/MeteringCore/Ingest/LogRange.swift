/// The offsets a Kafka partition holds right now: `low` is the first still in the log (retention
/// moves it up), `high` the offset the next appended message will get. A plain value.
public struct LogRange: Hashable, Sendable, CustomStringConvertible {
    public var low: Int64
    public var high: Int64

    public init(low: Int64, high: Int64) {
        self.low = low
        self.high = high
    }

    public var description: String { "\(low)..<\(high)" }
}

/// A stored next offset that the partition's log cannot serve (DESIGN §5). Never resolved
/// silently: the partition stops until an operator records a decision with
/// `odometer offsets reset`, because either answer (skip or re-read) is a billing decision.
public struct OffsetProblem: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Kind: Hashable, Sendable {
        /// Events between the stored offset and the log start were deleted before they were metered.
        case belowLogStart
        /// The log ends before the stored offset: the topic was recreated or truncated.
        case pastLogEnd
    }

    public var partition: Int32
    public var storedOffset: Int64
    public var log: LogRange
    public var kind: Kind

    public init(partition: Int32, storedOffset: Int64, log: LogRange, kind: Kind) {
        self.partition = partition
        self.storedOffset = storedOffset
        self.log = log
        self.kind = kind
    }

    /// The problem of `stored` against `log`, if any.
    public init?(partition: Int32, storedOffset stored: Int64, log: LogRange) {
        if stored < log.low {
            self.init(partition: partition, storedOffset: stored, log: log, kind: .belowLogStart)
        } else if stored > log.high {
            self.init(partition: partition, storedOffset: stored, log: log, kind: .pastLogEnd)
        } else {
            return nil
        }
    }

    public var description: String {
        let cause = switch kind {
        case .belowLogStart:
            "is below the log start: \(log.low - storedOffset) events were deleted before they were metered"
        case .pastLogEnd:
            "is past the log end: the topic was recreated or truncated"
        }
        return "partition \(partition): the stored offset \(storedOffset) \(cause) (log \(log)); it stays stopped "
            + "until `odometer offsets reset --partition \(partition) --to earliest|latest|N` records a decision"
    }
}
