import CacheHints

/// One shard's deltas: a hash table from `AggregateKey` to `Accumulator`, stored by column.
///
/// A power-of-two index of 4-byte slots (at most half full, linear probing) points into a dense
/// array of 48-byte entries (key 16 bytes, value 16, event count 8, LATEST reference 4): 56
/// bytes per active key including its share of the index, plus 24 bytes for a LATEST key's
/// position. A lookup touches two cache lines. Updating a
/// present key does not allocate; a new key appends (amortized growth). `removeAll` keeps the
/// capacity, so a steady workload stops allocating. Owned by one thread.
///
/// With many keys those two lines are rarely in cache, and waiting for them was most of the cost
/// of an update. `enqueue` therefore defers an update by `queueDepth` updates: it prefetches the
/// key's index slot at once, its entry halfway (the slot has arrived by then), and applies it
/// last, while the shard goes on decoding the next events. Queued updates are applied by
/// `settle()`; `count`, `forEach` and `removeAll` require a settled table.
public struct AggregateTable {
    private var index: [UInt32]          // 0 = empty, else dense position + 1
    private var mask: Int
    private var entries: [Entry] = []
    private var latest: [LatestPosition] = []
    private var queue: [QueuedUpdate]
    private var queueHead = 0
    private var queued = 0

    /// Updates in flight; a power of two. At 1.7 updates per event and a few hundred ns of decoding
    /// per event, 8 leaves a slot and an entry well over a microsecond each to arrive.
    static let queueDepth = 8

    struct QueuedUpdate {
        var key: AggregateKey
        var hash: UInt64
        var quantity: ExactDecimal
        var time: EventTime
        var offset: Int64
        var partition: Int32
        var aggregation: Aggregation
    }

    struct Entry {
        var key: AggregateKey
        var value: Int128
        var events: Int64
        var latestReference: UInt32   // 0 = none, else position in `latest` + 1
    }

    /// Where the LATEST value of a key came from.
    struct LatestPosition {
        var seconds: Int64
        var offset: Int64
        var nanoseconds: Int32
        var partition: Int32
    }

    /// Distinct keys present (the table must be settled).
    public var count: Int { entries.count }

    /// True when no update waits in the queue.
    public var isSettled: Bool { queued == 0 }

    /// Bytes per active key in the steady state: its entry, and two index slots (the index is
    /// at most half full).
    public static let bytesPerKey = MemoryLayout<Entry>.stride + 2 * MemoryLayout<UInt32>.stride

    public init(capacity: Int = 4096) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        index = Array(repeating: 0, count: size)
        mask = size - 1
        entries.reserveCapacity(capacity)
        queue = Array(repeating: QueuedUpdate(key: .empty, hash: 0, quantity: .zero, time: EventTime(seconds: 0, nanoseconds: 0),
                                              offset: 0, partition: 0, aggregation: .count),
                      count: Self.queueDepth)
    }

    /// Folds one event into the accumulator of `key`, creating it empty if absent.
    @inline(__always)
    public mutating func add(_ key: AggregateKey, _ aggregation: Aggregation, quantity: ExactDecimal,
                             time: EventTime, partition: Int32, offset: Int64) {
        apply(QueuedUpdate(key: key, hash: key.hashValue64, quantity: quantity, time: time, offset: offset,
                           partition: partition, aggregation: aggregation))
    }

    /// `add`, deferred: the update is applied `queueDepth` updates later, or by `settle()`, with
    /// its cache lines prefetched in between. The result is the same as `add` (merging is
    /// commutative; LATEST orders by time, partition and offset, not by arrival).
    @inline(__always)
    public mutating func enqueue(_ key: AggregateKey, _ aggregation: Aggregation, quantity: ExactDecimal,
                                 time: EventTime, partition: Int32, offset: Int64) {
        let depth = Self.queueDepth
        if queued == depth {
            apply(queue[queueHead])
            queueHead = (queueHead &+ 1) & (depth &- 1)
            queued &-= 1
        }
        if queued >= depth / 2 {
            // Halfway through the queue: its index slot has arrived; prefetch the entry it points to.
            let halfway = queue[(queueHead &+ queued &- depth / 2) & (depth &- 1)].hash
            let slot = index[Int(truncatingIfNeeded: halfway) & mask]
            if slot != 0 { entries.withUnsafeBufferPointer { cache_prefetch($0.baseAddress! + Int(slot &- 1)) } }
        }
        let hash = key.hashValue64
        index.withUnsafeBufferPointer { cache_prefetch($0.baseAddress! + (Int(truncatingIfNeeded: hash) & mask)) }
        queue[(queueHead &+ queued) & (depth &- 1)] = QueuedUpdate(
            key: key, hash: hash, quantity: quantity, time: time, offset: offset, partition: partition, aggregation: aggregation)
        queued &+= 1
    }

    /// Applies every queued update.
    public mutating func settle() {
        while queued > 0 {
            apply(queue[queueHead])
            queueHead = (queueHead &+ 1) & (Self.queueDepth &- 1)
            queued &-= 1
        }
    }

    /// Calls `body` for every key present, in insertion order (the table must be settled).
    public func forEach(_ body: (AggregateKey, Accumulator) throws -> Void) rethrows {
        precondition(isSettled, "AggregateTable.forEach before settle()")
        for position in entries.indices { try body(entries[position].key, accumulator(at: position)) }
    }

    /// Empties the table, keeping its capacity (the table must be settled: queued updates are not dropped).
    public mutating func removeAll() {
        precondition(isSettled, "AggregateTable.removeAll before settle()")
        guard !entries.isEmpty else { return }
        index.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        entries.removeAll(keepingCapacity: true)
        latest.removeAll(keepingCapacity: true)
    }

    // MARK: storage

    @inline(__always)
    private mutating func apply(_ update: QueuedUpdate) {
        let position = position(of: update.key, hash: update.hash, creating: update.aggregation == .latest)
        var accumulator = self.accumulator(at: position)
        accumulator.add(update.aggregation, quantity: update.quantity, time: update.time, partition: update.partition,
                        offset: update.offset)
        store(accumulator, at: position)
    }

    @inline(__always)
    private mutating func position(of key: AggregateKey, hash: UInt64, creating withLatest: Bool) -> Int {
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = index[slot]
            if entry == 0 { break }
            if entries[Int(entry &- 1)].key == key { return Int(entry &- 1) }
            slot = (slot &+ 1) & mask
        }
        let position = entries.count
        var reference: UInt32 = 0
        if withLatest {
            latest.append(LatestPosition(seconds: .min, offset: -1, nanoseconds: 0, partition: -1))
            reference = UInt32(latest.count)
        }
        entries.append(Entry(key: key, value: 0, events: 0, latestReference: reference))
        index[slot] = UInt32(position + 1)
        if entries.count * 2 > index.count { grow() }
        return position
    }

    @inline(__always)
    private func accumulator(at position: Int) -> Accumulator {
        var accumulator = Accumulator()
        accumulator.value = entries[position].value
        accumulator.events = entries[position].events
        let reference = Int(entries[position].latestReference)
        if reference > 0 {
            let origin = latest[reference - 1]
            accumulator.latestSeconds = origin.seconds
            accumulator.latestNanoseconds = origin.nanoseconds
            accumulator.latestPartition = origin.partition
            accumulator.latestOffset = origin.offset
        }
        return accumulator
    }

    @inline(__always)
    private mutating func store(_ accumulator: Accumulator, at position: Int) {
        entries[position].value = accumulator.value
        entries[position].events = accumulator.events
        let reference = Int(entries[position].latestReference)
        if reference > 0 {
            latest[reference - 1] = LatestPosition(
                seconds: accumulator.latestSeconds, offset: accumulator.latestOffset,
                nanoseconds: accumulator.latestNanoseconds, partition: accumulator.latestPartition)
        }
    }

    private mutating func grow() {
        let size = index.count * 2
        index = Array(repeating: 0, count: size)
        mask = size - 1
        for (position, entry) in entries.enumerated() {
            var slot = Int(truncatingIfNeeded: entry.key.hashValue64) & mask
            while index[slot] != 0 { slot = (slot &+ 1) & mask }
            index[slot] = UInt32(position + 1)
        }
    }
}
