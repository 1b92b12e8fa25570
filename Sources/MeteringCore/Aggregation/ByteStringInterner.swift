/// Maps byte strings (subjects, dimension values) to dense integer ids, 1, 2, 3, …, each with an
/// `Int32` payload its owner may set (a shard keeps a subject's calendar there).
///
/// Built for lookups that miss the CPU caches (100k subjects and more): open addressing with
/// linear probing over a power-of-two array of 8-byte slots, each holding the high half of the
/// string's hash beside its id, so a probe passes over other strings without leaving the slot
/// array. A string's 32-byte record holds its length, payload, place in the arena and its first
/// 16 bytes, so finding a known string of up to 16 bytes (typical subjects and dimension values)
/// reads two cache lines, its slot and its record; a longer one compares the rest in the arena.
///
/// Looking up a known string does not allocate; a new string appends to the arena (amortized
/// growth). Ids are never reused or removed, so an id is stable for the life of the interner.
/// Owned by one shard thread: not thread-safe.
struct ByteStringInterner {
    /// The payload of a string whose owner has not set one.
    static let unsetPayload: Int32 = -1

    private struct Record {
        var head: (UInt64, UInt64)   // the first 16 bytes, zero-padded
        var offset: Int              // start in the arena
        var length: Int32
        var payload: Int32
    }

    private var slots: [UInt64]      // 0 = empty, else the high half of the hash | id
    private var records: [Record] = [Record(head: (0, 0), offset: 0, length: 0, payload: unsetPayload)]   // by id; id 0 unused
    private var arena: [UInt8] = []
    private var mask: Int

    init(capacity: Int = 1024) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = Array(repeating: 0, count: size)
        mask = size - 1
    }

    /// Number of distinct strings interned.
    var count: Int { records.count - 1 }

    /// The id of `bytes`, interning it if new.
    mutating func intern(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        let hash = byteHash(bytes)
        let tag = hash & 0xFFFF_FFFF_0000_0000
        let head = Self.head(of: bytes)
        var index = Int(truncatingIfNeeded: hash) & mask
        while true {
            let slot = slots[index]
            if slot == 0 { break }
            if slot & 0xFFFF_FFFF_0000_0000 == tag {
                let id = Int(truncatingIfNeeded: slot & 0xFFFF_FFFF)
                if matches(records[id], head, bytes) { return UInt32(truncatingIfNeeded: id) }
            }
            index = (index &+ 1) & mask
        }
        let id = records.count
        precondition(id < Int(UInt32.max), "more than 4 billion distinct strings in one shard")
        records.append(Record(head: head, offset: arena.count, length: Int32(bytes.count), payload: Self.unsetPayload))
        arena.append(contentsOf: bytes)
        slots[index] = tag | UInt64(id)
        if records.count * 2 > slots.count { grow() }
        return UInt32(id)
    }

    /// The payload of `id`: `unsetPayload` until `setPayload` is called.
    @inline(__always)
    func payload(of id: UInt32) -> Int32 { records[Int(id)].payload }

    mutating func setPayload(_ payload: Int32, of id: UInt32) { records[Int(id)].payload = payload }

    /// The bytes of `id`, valid until the next `intern`.
    func withBytes<R>(of id: UInt32, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let start = records[Int(id)].offset
        let length = Int(records[Int(id)].length)
        return try arena.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[start..<(start + length)])) }
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

    @inline(__always)
    private func matches(_ record: Record, _ head: (UInt64, UInt64), _ bytes: UnsafeRawBufferPointer) -> Bool {
        guard Int(record.length) == bytes.count, record.head == head else { return false }
        if bytes.count <= 16 { return true }
        return arena.withUnsafeBytes {
            memcmpEqual($0.baseAddress! + record.offset + 16, bytes.baseAddress! + 16, bytes.count - 16)
        }
    }

    /// Doubles the slot array; hashes are recomputed from the arena (slots keep only their high half).
    private mutating func grow() {
        let size = slots.count * 2
        var grown = [UInt64](repeating: 0, count: size)
        let newMask = size - 1
        arena.withUnsafeBytes { arena in
            for id in 1..<records.count {
                let start = records[id].offset
                let hash = byteHash(UnsafeRawBufferPointer(rebasing: arena[start..<(start + Int(records[id].length))]))
                var index = Int(truncatingIfNeeded: hash) & newMask
                while grown[index] != 0 { index = (index &+ 1) & newMask }
                grown[index] = hash & 0xFFFF_FFFF_0000_0000 | UInt64(id)
            }
        }
        slots = grown
        mask = newMask
    }
}
