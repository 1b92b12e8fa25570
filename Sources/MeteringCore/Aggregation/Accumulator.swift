/// The partial aggregate of one key since the last flush (stored by column in `AggregateTable`).
///
/// One layout serves every aggregation: `value` is the running SUM (also AVG's numerator),
/// MIN, MAX or LATEST value, in `ExactDecimal` raw units; `events` counts the events merged;
/// the `latest*` fields order LATEST candidates by (time, partition, offset). Merging two
/// accumulators of the same key is associative and commutative for every aggregation, which
/// is why flushing deltas in any split gives the same totals.
public struct Accumulator: Sendable, Equatable {
    public var value: Int128 = 0
    public var events: Int64 = 0
    public var latestSeconds: Int64 = .min
    public var latestOffset: Int64 = -1
    public var latestNanoseconds: Int32 = 0
    public var latestPartition: Int32 = -1

    public init() {}

    /// Folds one event into the accumulator.
    public mutating func add(
        _ aggregation: Aggregation, quantity: ExactDecimal, time: EventTime, partition: Int32, offset: Int64
    ) {
        switch aggregation {
        case .sum, .avg:
            // Cannot overflow: a flush window holds far fewer than 10⁸ events of |q| < 10¹⁸,
            // and Int128 holds 1.7 × 10²⁶ in these units (see ShardAggregator.windowEventLimit).
            value &+= quantity.raw
        case .min:
            if events == 0 || quantity.raw < value { value = quantity.raw }
        case .max:
            if events == 0 || quantity.raw > value { value = quantity.raw }
        case .latest:
            if isLater(time.seconds, time.nanoseconds, partition, offset) {
                value = quantity.raw
                latestSeconds = time.seconds
                latestNanoseconds = time.nanoseconds
                latestPartition = partition
                latestOffset = offset
            }
        case .count, .uniqueCount:
            break
        }
        events &+= 1
    }

    /// Merges another partial aggregate of the same key.
    public mutating func merge(_ other: Accumulator, _ aggregation: Aggregation) {
        guard other.events > 0 else { return }
        switch aggregation {
        case .sum, .avg: value &+= other.value
        case .min: if events == 0 || other.value < value { value = other.value }
        case .max: if events == 0 || other.value > value { value = other.value }
        case .latest:
            if isLater(other.latestSeconds, other.latestNanoseconds, other.latestPartition, other.latestOffset) {
                value = other.value
                latestSeconds = other.latestSeconds
                latestNanoseconds = other.latestNanoseconds
                latestPartition = other.latestPartition
                latestOffset = other.latestOffset
            }
        case .count, .uniqueCount: break
        }
        events &+= other.events
    }

    func isLater(_ seconds: Int64, _ nanoseconds: Int32, _ partition: Int32, _ offset: Int64) -> Bool {
        if seconds != latestSeconds { return seconds > latestSeconds }
        if nanoseconds != latestNanoseconds { return nanoseconds > latestNanoseconds }
        if partition != latestPartition { return partition > latestPartition }
        return offset > latestOffset
    }
}
