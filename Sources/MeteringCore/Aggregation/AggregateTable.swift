/// One shard's deltas: a hash table from `AggregateKey` to `Accumulator`, stored by column.
///
/// A power-of-two index of 4-byte slots (at most half full, linear probing) points into a dense
/// array of 48-byte entries (key 16 bytes, value 16, event count 8, LATEST reference 4): 56
/// bytes per active key including its share of the index, plus 24 bytes for a LATEST key's
/// position. A lookup touches two cache lines. Updating a
/// present key does not allocate; a new key appends (amortized growth). `removeAll` keeps the
/// capacity, so a steady workload stops allocating. Owned by one thread.
public struct AggregateTable {
    private var index: [UInt32]          // 0 = empty, else dense position + 1
    private var mask: Int
    private var entries: [Entry] = []
    private var latest: [LatestPosition] = []

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

    public var count: Int { entries.count }

    /// Bytes per active key in the steady state: its entry, and two index slots (the index is
    /// at most half full).
    public static let bytesPerKey = MemoryLayout<Entry>.stride + 2 * MemoryLayout<UInt32>.stride

    public init(capacity: Int = 4096) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        index = Array(repeating: 0, count: size)
        mask = size - 1
        entries.reserveCapacity(capacity)
    }

    /// Folds one event into the accumulator of `key`, creating it empty if absent.
    @inline(__always)
    public mutating func add(_ key: AggregateKey, _ aggregation: Aggregation, quantity: ExactDecimal,
                             time: EventTime, partition: Int32, offset: Int64) {
        let position = position(of: key, creating: aggregation == .latest)
        var accumulator = self.accumulator(at: position)
        accumulator.add(aggregation, quantity: quantity, time: time, partition: partition, offset: offset)
        store(accumulator, at: position)
    }

    /// Calls `body` for every key present, in insertion order.
    public func forEach(_ body: (AggregateKey, Accumulator) throws -> Void) rethrows {
        for position in entries.indices { try body(entries[position].key, accumulator(at: position)) }
    }

    /// Empties the table, keeping its capacity.
    public mutating func removeAll() {
        guard !entries.isEmpty else { return }
        index.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        entries.removeAll(keepingCapacity: true)
        latest.removeAll(keepingCapacity: true)
    }

    // MARK: storage

    @inline(__always)
    private mutating func position(of key: AggregateKey, creating withLatest: Bool) -> Int {
        var slot = Int(truncatingIfNeeded: key.hashValue64) & mask
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
