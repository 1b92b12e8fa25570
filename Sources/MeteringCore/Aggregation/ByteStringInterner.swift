/// Maps byte strings (subjects, dimension values) to dense integer ids, 1, 2, 3, …, each with an
/// `Int32` payload its owner may set (a shard keeps a subject's calendar there).
///
/// Built for lookups that miss the CPU caches (100k subjects and more): open addressing with
/// linear probing over a power-of-two array of 32-byte slots. A slot holds everything a lookup
/// needs: the high half of the string's hash, its length, its first 16 bytes, its id and its
/// payload. So finding a known string of up to 16 bytes (typical subjects and dimension values)
/// reads one cache line, and a longer one compares the rest in the arena. The slot array is at
/// most half full (64 to 128 bytes per string), and `records` keeps each id's place in the arena, for
/// `withBytes(of:)`.
///
/// Looking up a known string does not allocate; a new string appends to the arena (amortized
/// growth). Ids are never reused or removed, so an id is stable for the life of the interner;
/// its owner bounds it over time by replacing it with `compacted(keeping:)` (issue 14) when no
/// id is in use. Owned by one shard thread: not thread-safe.
struct ByteStringInterner {
    /// The payload of a string whose owner has not set one.
    static let unsetPayload: Int32 = -1

    private struct Slot {
        var head: (UInt64, UInt64)   // the first 16 bytes, zero-padded
        var tag: UInt32              // the high half of the hash
        var length: Int32
        var id: UInt32               // 0 = empty slot
        var payload: Int32
    }

    private struct Record {
        var offset: Int              // start in the arena
        var length: Int
    }

    private static let emptySlot = Slot(head: (0, 0), tag: 0, length: 0, id: 0, payload: 0)

    private var slots: [Slot]
    private var records: [Record] = [Record(offset: 0, length: 0)]   // by id; id 0 unused
    private var arena: [UInt8] = []
    private var mask: Int

    init(capacity: Int = 1024) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = Array(repeating: Self.emptySlot, count: size)
        mask = size - 1
    }

    /// Number of distinct strings interned.
    var count: Int { records.count - 1 }

    /// The id of `bytes`, interning it if new.
    @inline(__always)
    mutating func intern(_ bytes: UnsafeRawBufferPointer) -> UInt32 { lookUp(bytes).id }

    /// Where the slot of a string's hash is, for `EventDecoder` to prefetch. The address leaves
    /// `withUnsafeBufferPointer`, and is only ever prefetched, never read through: it stays the
    /// slots' address until a new string makes them grow, and the aggregator hands a fresh one
    /// to the decoder after every lookup. A stale one (after growth or compaction) costs a
    /// useless load, as a prefetch of any address never faults. `mutating` though it writes
    /// nothing: called on an interner behind a pointer, a non-mutating getter ran on a copy, and
    /// retained and released its three arrays.
    var slotPrefetch: EventDecoder.SlotPrefetch {
        mutating get {
            slots.withUnsafeBufferPointer {
                EventDecoder.SlotPrefetch(slots: UnsafeRawPointer($0.baseAddress), mask: mask, stride: MemoryLayout<Slot>.stride)
            }
        }
    }

    /// The id of `bytes`, interning it if new, and its payload (`unsetPayload` for a new string).
    mutating func lookUp(_ bytes: UnsafeRawBufferPointer) -> (id: UInt32, payload: Int32) {
        let hash = byteHash(bytes)
        let tag = UInt32(truncatingIfNeeded: hash >> 32)
        let head = Self.head(of: bytes)
        var index = Int(truncatingIfNeeded: hash) & mask
        while true {
            let slot = slots[index]
            if slot.id == 0 { break }
            if slot.tag == tag, Int(slot.length) == bytes.count, slot.head == head, tailMatches(slot.id, bytes) {
                return (slot.id, slot.payload)
            }
            index = (index &+ 1) & mask
        }
        let id = records.count
        precondition(id < Int(UInt32.max), "more than 4 billion distinct strings in one shard")
        records.append(Record(offset: arena.count, length: bytes.count))
        arena.append(contentsOf: bytes)
        slots[index] = Slot(head: head, tag: tag, length: Int32(bytes.count), id: UInt32(id), payload: Self.unsetPayload)
        if records.count * 2 > slots.count { grow() }
        return (UInt32(id), Self.unsetPayload)
    }

    /// Sets the payload of `id` (an interned string's).
    mutating func setPayload(_ payload: Int32, of id: UInt32) {
        let index = slotIndex(of: id)
        slots[index].payload = payload
    }

    /// Sets every payload back to `unsetPayload` (what the payloads stood for changed).
    mutating func forgetPayloads() {
        for index in slots.indices where slots[index].id != 0 { slots[index].payload = Self.unsetPayload }
    }

    /// The bytes of `id`, valid until the next `intern`.
    func withBytes<R>(of id: UInt32, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let record = records[Int(id)]
        return try arena.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[record.offset..<(record.offset + record.length)])) }
    }

    /// A new interner with only the strings whose ids `keep` marks (indexed by id), payloads kept,
    /// and the map from old ids to new ones (0 for a string dropped). `transform` may rewrite a
    /// kept string's bytes on the way (a dimension combination whose value ids changed).
    func compacted(keeping keep: [Bool],
                   transform: ((UnsafeRawBufferPointer, inout [UInt8]) -> Void)? = nil) -> (ByteStringInterner, [UInt32]) {
        var kept = 0
        for flag in keep where flag { kept += 1 }
        var fresh = ByteStringInterner(capacity: max(kept, 1024))
        var map = [UInt32](repeating: 0, count: records.count)
        var scratch: [UInt8] = []
        for id in 1..<records.count where id < keep.count && keep[id] {
            let (newID, payload): (UInt32, Int32) = withBytes(of: UInt32(id)) { bytes in
                let payload = slots[slotIndex(of: UInt32(id))].payload
                guard let transform else { return (fresh.intern(bytes), payload) }
                scratch.removeAll(keepingCapacity: true)
                transform(bytes, &scratch)
                return (scratch.withUnsafeBytes { fresh.intern($0) }, payload)
            }
            if payload != Self.unsetPayload { fresh.setPayload(payload, of: newID) }
            map[id] = newID
        }
        return (fresh, map)
    }

    /// The string of `id` (slow path: allocates).
    func string(of id: UInt32) -> String {
        withBytes(of: id) { String(decoding: $0, as: UTF8.self) }
    }

    /// The first 16 bytes of `bytes`, zero-padded.
    @inline(__always)
    private static func head(of bytes: UnsafeRawBufferPointer) -> (UInt64, UInt64) {
        guard let base = bytes.baseAddress else { return (0, 0) }
        if bytes.count >= 16 {
            return (base.loadUnaligned(as: UInt64.self), base.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        }
        var words: (UInt64, UInt64) = (0, 0)
        withUnsafeMutableBytes(of: &words) { $0.baseAddress!.copyMemory(from: base, byteCount: bytes.count) }
        return words
    }

    /// Whether the bytes after the first 16 of `id` equal those of `bytes` (same length, known).
    @inline(__always)
    private func tailMatches(_ id: UInt32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        if bytes.count <= 16 { return true }
        let offset = records[Int(id)].offset
        return arena.withUnsafeBytes { memcmpEqual($0.baseAddress! + offset + 16, bytes.baseAddress! + 16, bytes.count - 16) }
    }

    /// The slot holding `id`, found by probing for its bytes (a slow path: new strings only).
    private func slotIndex(of id: UInt32) -> Int {
        let record = records[Int(id)]
        let hash = arena.withUnsafeBytes { byteHash(UnsafeRawBufferPointer(rebasing: $0[record.offset..<(record.offset + record.length)])) }
        var index = Int(truncatingIfNeeded: hash) & mask
        while slots[index].id != id {
            precondition(slots[index].id != 0, "id \(id) is not interned")
            index = (index &+ 1) & mask
        }
        return index
    }

    /// Doubles the slot array; each slot moves to where its hash now points (recomputed from the arena).
    private mutating func grow() {
        let size = slots.count * 2
        var grown = [Slot](repeating: Self.emptySlot, count: size)
        let newMask = size - 1
        arena.withUnsafeBytes { arena in
            for slot in slots where slot.id != 0 {
                let record = records[Int(slot.id)]
                let hash = byteHash(UnsafeRawBufferPointer(rebasing: arena[record.offset..<(record.offset + record.length)]))
                var index = Int(truncatingIfNeeded: hash) & newMask
                while grown[index].id != 0 { index = (index &+ 1) & newMask }
                grown[index] = slot
            }
        }
        slots = grown
        mask = newMask
    }
}
