/// One shard's aggregation state: it meters decoded events into per-key deltas and tracks
/// how far each of its partitions has been read, until the flusher drains both.
///
/// Subjects, dimension values and dimension combinations are interned to integer ids, so a
/// known key costs a few hash probes and no allocation. Everything here is owned by the
/// shard's thread; `drain` is called on that thread too, and hands out plain bytes.
public final class ShardAggregator {
    public let catalog: MeterCatalog
    public private(set) var directory: AccountDirectory
    private let tables: CompiledCatalog
    /// Each meter's slug and group-by names as a flush writes them, by meter index.
    let meterColumns: [MeterColumns]
    private var calendars: UnsafeMutablePointer<PeriodCalendar>
    /// By calendar index, the period the last event of that calendar fell in, with its bounds.
    private var recentPeriods: UnsafeMutablePointer<RecentPeriod>
    private let dimensionScratch: UnsafeMutablePointer<UInt32>
    /// Every mutable field, behind one pointer: no dynamic exclusivity checks per event.
    private let state: UnsafeMutablePointer<State>

    struct State {
        var subjects = ByteStringInterner(capacity: 16_384)   // payload: the subject's calendar index
        var values = ByteStringInterner(capacity: 4096)
        var dimensionSets = ByteStringInterner(capacity: 4096)
        var table = AggregateTable(capacity: 65_536)
        var uniques = UniqueValueSet()
        /// Next offset to read, by partition; -1 = nothing read since the last drain.
        var nextOffsets: [Int64] = []
        /// Greatest Kafka append time (Unix ms) read, by partition; `.min` = none since the last drain.
        var coveredAppend: [Int64] = []
        var windowEvents = 0
        var windowDuplicates = 0
        var windowRejections: [RejectionReason: Int] = [:]
        var rejectedOffsets: [Int32: [Int64]] = [:]
    }

    /// A period and its bounds in whole Unix seconds (`start <= t.seconds < end` is `t` in the
    /// period, as the bounds are whole seconds). Events come mostly in time order, so nearly
    /// every event of a calendar falls in the period of the one before: found here, it costs
    /// two compares instead of a call into the calendar, which copied the calendar (a string
    /// and a table object: two retains and two releases per event). Starts empty.
    struct RecentPeriod {
        var start = Int64.max
        var end = Int64.min
        var index: Int32 = 0
    }

    /// Events metered since the last drain.
    public var windowEvents: Int { state.pointee.windowEvents }
    /// Duplicates dropped since the last drain (DESIGN §5).
    public var windowDuplicates: Int { state.pointee.windowDuplicates }
    /// Strings interned now: subjects, values (dimension and UNIQUE_COUNT), dimension combinations.
    public var internedCounts: (subjects: Int, values: Int, dimensionSets: Int) {
        (state.pointee.subjects.count, state.pointee.values.count, state.pointee.dimensionSets.count)
    }

    /// Messages rejected since the last drain, by reason.
    public var windowRejections: [RejectionReason: Int] { state.pointee.windowRejections }
    /// Distinct keys waiting for the next flush. Applies the table's queued updates first, so
    /// everything observable (this, `drain`) is exact whatever is still in flight.
    public var pendingKeys: Int {
        state.pointee.table.settle()
        return state.pointee.table.count
    }

    /// A window never holds more events than this, so Int128 sums cannot overflow
    /// (10⁸ × 10³⁰ < 1.7 × 10³⁸). The engine flushes long before.
    public static let windowEventLimit = 100_000_000

    public init(catalog: MeterCatalog, directory: AccountDirectory) {
        self.catalog = catalog
        self.directory = directory
        tables = CompiledCatalog(catalog)
        meterColumns = catalog.meters.map(MeterColumns.init)
        calendars = .allocate(capacity: directory.calendars.count)
        calendars.initialize(from: directory.calendars, count: directory.calendars.count)
        recentPeriods = .allocate(capacity: directory.calendars.count)
        recentPeriods.initialize(repeating: RecentPeriod(), count: directory.calendars.count)
        dimensionScratch = .allocate(capacity: Meter.maximumDimensions)
        state = .allocate(capacity: 1)
        state.initialize(to: State())
    }

    deinit {
        calendars.deinitialize(count: directory.calendars.count)
        calendars.deallocate()
        recentPeriods.deallocate()
        dimensionScratch.deallocate()
        state.deinitialize(count: 1)
        state.deallocate()
    }

    /// Uses `directory` for the events metered from now on (accounts changed: DESIGN §5). Events
    /// already in the window keep the periods they were bucketed in; every subject's calendar is
    /// looked up again.
    public func replaceDirectory(_ directory: AccountDirectory) {
        calendars.deinitialize(count: self.directory.calendars.count)
        calendars.deallocate()
        recentPeriods.deallocate()
        self.directory = directory
        calendars = .allocate(capacity: directory.calendars.count)
        calendars.initialize(from: directory.calendars, count: directory.calendars.count)
        recentPeriods = .allocate(capacity: directory.calendars.count)
        recentPeriods.initialize(repeating: RecentPeriod(), count: directory.calendars.count)
        state.pointee.subjects.forgetPayloads()
    }

    /// Records that the message at `offset` of `partition`, appended to Kafka at
    /// `appendMilliseconds` (Unix ms, if known), was handled: metered, rejected or dropped.
    @inline(__always)
    public func recordProgress(partition: Int32, offset: Int64, appendMilliseconds: Int64?) {
        let index = Int(partition)
        if index >= state.pointee.nextOffsets.count { growPartitions(to: index + 1) }
        if offset + 1 > state.pointee.nextOffsets[index] { state.pointee.nextOffsets[index] = offset + 1 }
        if let appended = appendMilliseconds, appended > state.pointee.coveredAppend[index] {
            state.pointee.coveredAppend[index] = appended
        }
    }

    /// Counts a duplicate dropped by the dedup window.
    public func recordDuplicate() {
        state.pointee.windowDuplicates &+= 1
    }

    /// Counts a rejected message, and remembers where it was.
    public func recordRejection(_ reason: RejectionReason, partition: Int32, offset: Int64) {
        state.pointee.windowRejections[reason, default: 0] += 1
        state.pointee.rejectedOffsets[partition, default: []].append(offset)
    }

    /// The offsets rejected since the last drain, by partition.
    public var windowRejectedOffsets: [Int32: [Int64]] { state.pointee.rejectedOffsets }

    /// Meters the event that `decoder` has just accepted into every meter of its type.
    public func aggregate(_ decoder: EventDecoder, partition: Int32, offset: Int64) {
        let found = state.pointee.subjects.lookUp(decoder.text(decoder.subject))
        let subject = found.id
        var calendar = found.payload
        if calendar == ByteStringInterner.unsetPayload {
            calendar = Int32(directory.calendarIndex(forSubject: decoder.text(decoder.subject)))
            state.pointee.subjects.setPayload(calendar, of: subject)
        }
        decoder.setSubjectSlots(state.pointee.subjects.slotPrefetch)
        let time = decoder.time
        let recent = recentPeriods[Int(calendar)]
        let period = time.seconds >= recent.start && time.seconds < recent.end
            ? recent.index : period(containing: time, calendar: Int(calendar))
        let type = decoder.eventTypeIndex
        let first = tables.typePositionStarts[type]
        let end = tables.typePositionStarts[type + 1]
        var global = first
        while global < end {
            let position = global &- first
            let meterIndex = tables.positionMeters[global]
            let dimensionCount = tables.positionDimensionStarts[global + 1] - tables.positionDimensionStarts[global]
            let dimensions = internDimensions(decoder, meterPosition: position, count: dimensionCount)
            let key = AggregateKey(subject: subject, meter: meterIndex, period: period, dimensions: dimensions)
            let aggregation = tables.positionAggregations[global]
            let quantity = aggregation.readsQuantity ? decoder.quantity(meterPosition: position) : .zero
            state.pointee.table.enqueue(key, aggregation, quantity: quantity, time: time, partition: partition, offset: offset)
            if aggregation == .uniqueCount {
                let value = state.pointee.values.intern(decoder.text(decoder.value(meterPosition: position)))
                state.pointee.uniques.insert(key, value: value)
            }
            global &+= 1
        }
        state.pointee.windowEvents &+= 1
    }

    /// The period of `time` in calendar `calendar`, remembered as that calendar's recent one.
    private func period(containing time: EventTime, calendar: Int) -> Int32 {
        let period = calendars[calendar].period(containing: time)
        let bounds = calendars[calendar].bounds(of: period)
        recentPeriods[calendar] = RecentPeriod(start: bounds.start.seconds, end: bounds.end.seconds, index: period.index)
        return period.index
    }

    /// The id of the meter's dimension values for this event; 0 for a meter without groupBy.
    @inline(__always)
    private func internDimensions(_ decoder: EventDecoder, meterPosition: Int, count: Int) -> UInt32 {
        guard count > 0 else { return 0 }
        for dimension in 0..<count {
            let ref = decoder.dimension(meterPosition: meterPosition, dimension: dimension)
            dimensionScratch[dimension] = ref.kind.isPresentScalar ? state.pointee.values.intern(decoder.text(ref)) : 0
        }
        return state.pointee.dimensionSets.intern(UnsafeRawBufferPointer(start: dimensionScratch, count: count * 4))
    }
}

// Access for `drain` (same thread).
extension ShardAggregator {
    func forEachPendingRow(_ body: (AggregateKey, Accumulator) -> Void) {
        state.pointee.table.settle()
        state.pointee.table.forEach(body)
    }
    func forEachPendingUniqueValue(_ body: (AggregateKey, UInt32) -> Void) { state.pointee.uniques.forEach(body) }
    func withSubjectBytes<R>(_ id: UInt32, _ body: (UnsafeRawBufferPointer) -> R) -> R { state.pointee.subjects.withBytes(of: id, body) }
    func withValueBytes<R>(_ id: UInt32, _ body: (UnsafeRawBufferPointer) -> R) -> R { state.pointee.values.withBytes(of: id, body) }

    /// Appends the canonical dimensions JSON of combination `id` for the meter at index `meter`.
    func appendDimensions(_ id: UInt32, meter: Int, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        if id != 0 {
            let keys = meterColumns[meter].dimensionKeys
            state.pointee.dimensionSets.withBytes(of: id) { raw in
                var first = true
                for index in keys.indices {
                    let valueId = raw.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self)
                    guard valueId != 0 else { continue }
                    if !first { out.append(UInt8(ascii: ",")) }
                    first = false
                    out.append(contentsOf: keys[index])
                    state.pointee.values.withBytes(of: valueId) { CanonicalDimensions.appendJSONString($0, to: &out) }
                }
            }
        }
        out.append(UInt8(ascii: "}"))
    }

    /// Makes room for partitions `0 ..< count` in the per-partition progress.
    private func growPartitions(to count: Int) {
        state.pointee.nextOffsets.append(contentsOf: repeatElement(-1, count: count - state.pointee.nextOffsets.count))
        state.pointee.coveredAppend.append(contentsOf: repeatElement(.min, count: count - state.pointee.coveredAppend.count))
    }

    /// Next offsets and greatest append times of the partitions that advanced; resets both.
    func takeProgress() -> (nextOffsets: [Int32: Int64], coveredAppend: [Int32: Int64]) {
        var progress: [Int32: Int64] = [:]
        var times: [Int32: Int64] = [:]
        for (partition, next) in state.pointee.nextOffsets.enumerated() where next >= 0 {
            progress[Int32(partition)] = next
            state.pointee.nextOffsets[partition] = -1
        }
        for (partition, milliseconds) in state.pointee.coveredAppend.enumerated() where milliseconds != .min {
            times[Int32(partition)] = milliseconds
            state.pointee.coveredAppend[partition] = .min
        }
        return (progress, times)
    }

    /// Bounds the interners over time (issue 14): before the window is emptied, an interner that
    /// holds more than twice the strings the window uses (and more than `compactionFloor`) is
    /// rebuilt with only those. Nothing refers to an id once the window is drained, so ids may
    /// change; the strings a window used are kept, since the next window likely uses them again.
    /// Amortized O(1) per string interned; a steady working set never triggers it.
    func releaseUnusedStrings() {
        let subjectsInUse = markSubjectsInUse()
        let (dimensionSetsInUse, valuesInUse) = markValuesInUse()
        var values: [UInt32]?
        if Self.worthCompacting(state.pointee.values.count, inUse: valuesInUse) {
            let (fresh, map) = state.pointee.values.compacted(keeping: valuesInUse)
            state.pointee.values = fresh
            values = map
        }
        if values != nil || Self.worthCompacting(state.pointee.dimensionSets.count, inUse: dimensionSetsInUse) {
            let (fresh, _) = state.pointee.dimensionSets.compacted(keeping: dimensionSetsInUse) { bytes, out in
                for position in stride(from: 0, to: bytes.count, by: 4) {
                    var id = bytes.loadUnaligned(fromByteOffset: position, as: UInt32.self)
                    if let values, id != 0 { id = values[Int(id)] }
                    withUnsafeBytes(of: id) { out.append(contentsOf: $0) }
                }
            }
            state.pointee.dimensionSets = fresh
        }
        if Self.worthCompacting(state.pointee.subjects.count, inUse: subjectsInUse) {
            state.pointee.subjects = state.pointee.subjects.compacted(keeping: subjectsInUse).0
        }
    }

    /// Interners smaller than this are never compacted (a small working set costs nothing).
    public static let compactionFloor = 16_384

    private static func worthCompacting(_ count: Int, inUse: [Bool]) -> Bool {
        guard count > compactionFloor else { return false }
        var used = 0
        for flag in inUse where flag { used += 1 }
        return count > 2 * used
    }

    private func markSubjectsInUse() -> [Bool] {
        var inUse = [Bool](repeating: false, count: state.pointee.subjects.count + 1)
        state.pointee.table.forEach { key, _ in inUse[Int(key.subject)] = true }
        return inUse
    }

    /// The dimension combinations the window uses, and the values: those of the combinations and
    /// the UNIQUE_COUNT members.
    private func markValuesInUse() -> (dimensionSets: [Bool], values: [Bool]) {
        var sets = [Bool](repeating: false, count: state.pointee.dimensionSets.count + 1)
        var values = [Bool](repeating: false, count: state.pointee.values.count + 1)
        state.pointee.table.forEach { key, _ in if key.dimensions != 0 { sets[Int(key.dimensions)] = true } }
        for id in 1..<sets.count where sets[id] {
            state.pointee.dimensionSets.withBytes(of: UInt32(id)) { bytes in
                for position in stride(from: 0, to: bytes.count, by: 4) {
                    values[Int(bytes.loadUnaligned(fromByteOffset: position, as: UInt32.self))] = true
                }
            }
        }
        state.pointee.uniques.forEach { _, value in values[Int(value)] = true }
        values[0] = false
        return (sets, values)
    }

    func resetWindow() {
        state.pointee.table.removeAll()
        state.pointee.uniques.removeAll()
        state.pointee.windowEvents = 0
        state.pointee.windowDuplicates = 0
        state.pointee.windowRejections.removeAll(keepingCapacity: true)
        state.pointee.rejectedOffsets.removeAll()
    }
}
