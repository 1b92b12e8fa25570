/// How a meter folds its events into one quantity per (account, meter, period, dimensions).
///
/// Every aggregation merges partial results associatively and commutatively, so the split of
/// events into flush batches never changes a total (see `Accumulator`).
public enum Aggregation: String, Hashable, Sendable, CaseIterable {
    case sum = "SUM"
    case count = "COUNT"
    case min = "MIN"
    case max = "MAX"
    /// SUM / COUNT, rounded half-even to 12 fractional digits.
    case avg = "AVG"
    /// Distinct values of `valueProperty`, compared as text.
    case uniqueCount = "UNIQUE_COUNT"
    /// The value of the event with the greatest `time`; ties go to the greater (partition, offset).
    case latest = "LATEST"

    /// Whether the meter reads a numeric quantity from `valueProperty`.
    public var readsQuantity: Bool {
        switch self {
        case .sum, .min, .max, .avg, .latest: true
        case .count, .uniqueCount: false
        }
    }

    /// Whether the meter needs a `valueProperty` at all.
    public var needsValueProperty: Bool { self != .count }
}
