/// An open-addressing hash table from `AggregateKey` to `Accumulator`, for one shard's deltas.
///
/// Linear probing over a power-of-two array of 64-byte entries, at most half full. Updating a
/// key that is present does not allocate; a new key may grow the table (amortized). `removeAll`
/// keeps the capacity, so a steady workload stops allocating. Owned by one thread.
public struct AggregateTable {
    public struct Entry {
        public var key: AggregateKey
        public var accumulator: Accumulator
    }

    private var entries: [Entry]
    private var mask: Int
    public private(set) var count = 0

    public init(capacity: Int = 4096) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        entries = Array(repeating: Entry(key: .empty, accumulator: Accumulator()), count: size)
        mask = size - 1
    }

    /// Applies `update` to the accumulator of `key`, creating it empty if absent.
    public mutating func update(_ key: AggregateKey, _ body: (inout Accumulator) -> Void) {
        var index = Int(truncatingIfNeeded: key.hashValue64) & mask
        while true {
            let stored = entries[index].key
            if stored == key { break }
            if stored.low == 0 {
                entries[index].key = key
                count += 1
                if count * 2 > entries.count {
                    grow()
                    update(key, body)
                    return
                }
                break
            }
            index = (index &+ 1) & mask
        }
        body(&entries[index].accumulator)
    }

    /// Calls `body` for every key present, in table order.
    public func forEach(_ body: (AggregateKey, Accumulator) throws -> Void) rethrows {
        for entry in entries where entry.key.low != 0 { try body(entry.key, entry.accumulator) }
    }

    /// Empties the table, keeping its capacity.
    public mutating func removeAll() {
        guard count > 0 else { return }
        for index in entries.indices where entries[index].key.low != 0 {
            entries[index] = Entry(key: .empty, accumulator: Accumulator())
        }
        count = 0
    }

    private mutating func grow() {
        let old = entries
        let size = entries.count * 2
        entries = Array(repeating: Entry(key: .empty, accumulator: Accumulator()), count: size)
        mask = size - 1
        for entry in old where entry.key.low != 0 {
            var index = Int(truncatingIfNeeded: entry.key.hashValue64) & mask
            while entries[index].key.low != 0 { index = (index &+ 1) & mask }
            entries[index] = entry
        }
    }
}
