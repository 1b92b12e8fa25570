/// One shard's aggregation state: it meters decoded events into per-key deltas and tracks
/// how far each of its partitions has been read, until the flusher drains both.
///
/// Subjects, dimension values and dimension combinations are interned to integer ids, so a
/// known key costs a few hash probes and no allocation. Everything here is owned by the
/// shard's thread; `drain` is called on that thread too, and hands out plain bytes.
public final class ShardAggregator {
    public let catalog: MeterCatalog
    public let directory: AccountDirectory

    private var subjects = ByteStringInterner(capacity: 16_384)
    private var subjectCalendars: [Int32] = [0]       // by subject id
    private var values = ByteStringInterner(capacity: 4096)
    private var dimensionSets = ByteStringInterner(capacity: 4096)
    private var table = AggregateTable(capacity: 65_536)
    private var uniques = UniqueValueSet()
    /// Next offset to read, by partition; -1 = nothing read since the last drain.
    private var nextOffsets: [Int64] = []
    /// Greatest event time (seconds) metered, by partition; `.min` = none since the last drain.
    private var latestEventSeconds: [Int64] = []
    private let dimensionScratch: UnsafeMutablePointer<UInt32>

    /// Events metered and messages rejected since the last drain.
    public private(set) var windowEvents = 0
    public private(set) var windowRejections: [RejectionReason: Int] = [:]
    /// Distinct keys waiting for the next flush.
    public var pendingKeys: Int { table.count }

    /// A window never holds more events than this, so Int128 sums cannot overflow
    /// (10⁸ × 10³⁰ < 1.7 × 10³⁸). The engine flushes long before.
    public static let windowEventLimit = 100_000_000

    public init(catalog: MeterCatalog, directory: AccountDirectory) {
        self.catalog = catalog
        self.directory = directory
        dimensionScratch = .allocate(capacity: Meter.maximumDimensions)
    }

    deinit { dimensionScratch.deallocate() }

    /// Records that the message at `offset` of `partition` was handled (valid or not).
    @inline(__always)
    public func recordProgress(partition: Int32, offset: Int64) {
        let index = Int(partition)
        if index >= nextOffsets.count { growPartitions(to: index + 1) }
        if offset + 1 > nextOffsets[index] { nextOffsets[index] = offset + 1 }
    }

    /// Counts a rejected message.
    public func recordRejection(_ reason: RejectionReason) {
        windowRejections[reason, default: 0] += 1
    }

    /// Meters the event that `decoder` has just accepted into every meter of its type.
    public func aggregate(_ decoder: EventDecoder, partition: Int32, offset: Int64) {
        let subject = subjects.intern(decoder.text(decoder.subject))
        if Int(subject) == subjectCalendars.count {
            let calendar = directory.calendarIndex(forSubject: decoder.text(decoder.subject))
            subjectCalendars.append(Int32(calendar))
        }
        let time = decoder.time
        recordEventTime(time.seconds, partition: partition)
        let period = directory.calendars[Int(subjectCalendars[Int(subject)])].period(containing: time).index
        let meters = catalog.meterIndices(ofType: decoder.eventTypeIndex)
        for position in 0..<meters.count {
            let meterIndex = meters[position]
            let meter = catalog.meters[meterIndex]
            let dimensions = internDimensions(decoder, meterPosition: position, count: meter.groupBy.count)
            let key = AggregateKey(subject: subject, meter: meterIndex, period: period, dimensions: dimensions)
            let aggregation = meter.aggregation
            let quantity = aggregation.readsQuantity ? decoder.quantity(meterPosition: position) : .zero
            table.update(key) { $0.add(aggregation, quantity: quantity, time: time, partition: partition, offset: offset) }
            if aggregation == .uniqueCount {
                let value = values.intern(decoder.text(decoder.value(meterPosition: position)))
                uniques.insert(key, value: value)
            }
        }
        windowEvents &+= 1
    }

    /// The id of the meter's dimension values for this event; 0 for a meter without groupBy.
    private func internDimensions(_ decoder: EventDecoder, meterPosition: Int, count: Int) -> UInt32 {
        guard count > 0 else { return 0 }
        for dimension in 0..<count {
            let ref = decoder.dimension(meterPosition: meterPosition, dimension: dimension)
            dimensionScratch[dimension] = ref.kind.isPresentScalar ? values.intern(decoder.text(ref)) : 0
        }
        return dimensionSets.intern(UnsafeRawBufferPointer(start: dimensionScratch, count: count * 4))
    }
}

// Access for `drain` (same thread).
extension ShardAggregator {
    func forEachPendingRow(_ body: (AggregateKey, Accumulator) -> Void) { table.forEach(body) }
    func forEachPendingUniqueValue(_ body: (AggregateKey, UInt32) -> Void) { uniques.forEach(body) }
    func withSubjectBytes<R>(_ id: UInt32, _ body: (UnsafeRawBufferPointer) -> R) -> R { subjects.withBytes(of: id, body) }
    func withValueBytes<R>(_ id: UInt32, _ body: (UnsafeRawBufferPointer) -> R) -> R { values.withBytes(of: id, body) }

    /// Appends the canonical dimensions JSON of combination `id` for `meter`.
    func appendDimensions(_ id: UInt32, meter: Meter, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        if id != 0 {
            dimensionSets.withBytes(of: id) { raw in
                var first = true
                for (index, dimension) in meter.groupBy.enumerated() {
                    let valueId = raw.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self)
                    guard valueId != 0 else { continue }
                    if !first { out.append(UInt8(ascii: ",")) }
                    first = false
                    var name = dimension.name
                    name.withUTF8 { CanonicalDimensions.appendJSONString(UnsafeRawBufferPointer($0), to: &out) }
                    out.append(UInt8(ascii: ":"))
                    values.withBytes(of: valueId) { CanonicalDimensions.appendJSONString($0, to: &out) }
                }
            }
        }
        out.append(UInt8(ascii: "}"))
    }

    @inline(__always)
    func recordEventTime(_ seconds: Int64, partition: Int32) {
        let index = Int(partition)
        if index >= latestEventSeconds.count { growPartitions(to: index + 1) }
        if seconds > latestEventSeconds[index] { latestEventSeconds[index] = seconds }
    }

    /// Makes room for partitions `0 ..< count` in the per-partition progress.
    private func growPartitions(to count: Int) {
        nextOffsets.append(contentsOf: repeatElement(-1, count: count - nextOffsets.count))
        latestEventSeconds.append(contentsOf: repeatElement(.min, count: count - latestEventSeconds.count))
    }

    /// Next offsets and greatest event times of the partitions that advanced; resets both.
    func takeProgress() -> (nextOffsets: [Int32: Int64], latestEventSeconds: [Int32: Int64]) {
        var progress: [Int32: Int64] = [:]
        var times: [Int32: Int64] = [:]
        for (partition, next) in nextOffsets.enumerated() where next >= 0 {
            progress[Int32(partition)] = next
            nextOffsets[partition] = -1
        }
        for (partition, seconds) in latestEventSeconds.enumerated() where seconds != .min {
            times[Int32(partition)] = seconds
            latestEventSeconds[partition] = .min
        }
        return (progress, times)
    }

    func resetWindow() {
        table.removeAll()
        uniques.removeAll()
        windowEvents = 0
        windowRejections.removeAll(keepingCapacity: true)
    }
}
