/// What one shard hands to the flusher: its deltas since the last drain, encoded as COPY text
/// rows, and how far it has read each partition. Plain values; Sendable.
///
/// Totals columns, in order: account, meter, period, dimensions, events, sum_value,
/// min_value, max_value, latest_value, latest_time_s, latest_time_ns, latest_partition,
/// latest_offset. Unique-value columns: account, meter, period, dimensions, value.
public struct ShardDelta: Sendable {
    public var totals = CopyTextWriter()
    public var uniqueValues = CopyTextWriter()
    /// Partition → next offset to read, for every partition that advanced.
    public var nextOffsets: [Int32: Int64] = [:]
    /// Partition → greatest Kafka append time (Unix ms) read, for close readiness on arrival.
    public var coveredAppendMilliseconds: [Int32: Int64] = [:]
    public var events = 0
    /// Partition → the offsets of the messages dead-lettered.
    public var rejectedOffsets: [Int32: [Int64]] = [:]
    /// Duplicates the dedup window dropped (DESIGN §5).
    public var duplicates = 0
    /// Ids the shard's dedup window holds now, and has forgotten early so far (memory cap);
    /// filled by the shard's shell, which owns the window.
    public var rememberedIds = 0
    /// Strings the shard holds interned after this hand-off (subjects, values, dimension combinations).
    public var internedStrings = 0
    public var dedupBytes = 0
    public var forgottenEarly = 0
    public var rejections: [RejectionReason: Int] = [:]
    /// Append times (Unix milliseconds) of a sample of the window's messages, for the latency
    /// from append to committed total; filled by the shard's shell, which reads Kafka's timestamps.
    public var sampledAppendMilliseconds: [Int64] = []

    public init() {}

    public var isEmpty: Bool {
        totals.isEmpty && uniqueValues.isEmpty && nextOffsets.isEmpty && rejections.isEmpty && duplicates == 0
    }
}

extension ShardAggregator {
    /// Encodes every pending delta, then empties the window (capacity is kept).
    /// `bytesPerRow`, e.g. the previous delta's, sizes the totals buffer up front: growing it
    /// by doubling would briefly hold up to three times the rows of a large delta.
    public func drain(bytesPerRow: Int = 0) -> ShardDelta {
        var delta = ShardDelta()
        delta.totals.reserveCapacity(pendingKeys * bytesPerRow)
        var dimensionColumns = DimensionColumnCache()
        forEachPendingRow { key, accumulator in
            let aggregation = meterColumns[key.meter].aggregation
            writeKeyColumns(key, into: &delta.totals, cache: &dimensionColumns)
            delta.totals.integer(accumulator.events)
            switch aggregation {
            case .sum, .avg:
                delta.totals.decimal(ExactDecimal(raw: accumulator.value))
                delta.totals.null(); delta.totals.null(); delta.totals.null()
                for _ in 0..<4 { delta.totals.null() }
            case .min:
                delta.totals.integer(0)
                delta.totals.decimal(ExactDecimal(raw: accumulator.value))
                for _ in 0..<6 { delta.totals.null() }
            case .max:
                delta.totals.integer(0)
                delta.totals.null()
                delta.totals.decimal(ExactDecimal(raw: accumulator.value))
                for _ in 0..<5 { delta.totals.null() }
            case .latest:
                delta.totals.integer(0)
                delta.totals.null(); delta.totals.null()
                delta.totals.decimal(ExactDecimal(raw: accumulator.value))
                delta.totals.integer(accumulator.latestSeconds)
                delta.totals.integer(accumulator.latestNanoseconds)
                delta.totals.integer(accumulator.latestPartition)
                delta.totals.integer(accumulator.latestOffset)
            case .count, .uniqueCount:
                delta.totals.integer(0)
                for _ in 0..<7 { delta.totals.null() }
            }
            delta.totals.endRow()
        }
        forEachPendingUniqueValue { key, value in
            writeKeyColumns(key, into: &delta.uniqueValues, cache: &dimensionColumns)
            withValueBytes(value) { delta.uniqueValues.text($0) }
            delta.uniqueValues.endRow()
        }
        (delta.nextOffsets, delta.coveredAppendMilliseconds) = takeProgress()
        delta.events = windowEvents
        delta.duplicates = windowDuplicates
        delta.rejections = windowRejections
        delta.rejectedOffsets = windowRejectedOffsets
        releaseUnusedStrings()
        let counts = internedCounts
        delta.internedStrings = counts.subjects + counts.values + counts.dimensionSets
        resetWindow()
        return delta
    }

    private func writeKeyColumns(_ key: AggregateKey, into writer: inout CopyTextWriter, cache: inout DimensionColumnCache) {
        withSubjectBytes(key.subject) { writer.text($0) }
        meterColumns[key.meter].slug.withUnsafeBytes { writer.escapedText($0) }
        writer.period(BillingPeriod(index: key.period))
        guard key.dimensions != 0 else {
            withUnsafeBytes(of: (UInt8(ascii: "{"), UInt8(ascii: "}"))) { writer.escapedText($0) }
            return
        }
        let column = cache.column(meter: UInt32(key.meter), dimensions: key.dimensions) {
            appendDimensions(key.dimensions, meter: key.meter, to: &$0)
        }
        cache.withBytes(column) { writer.escapedText($0) }
    }
}
