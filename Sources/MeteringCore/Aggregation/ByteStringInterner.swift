/// Maps byte strings (subjects, dimension values) to dense integer ids, 1, 2, 3, …
///
/// Open addressing with linear probing over a power-of-two table; the strings live in one
/// growing byte arena. Looking up a known string does not allocate; a new string appends to
/// the arena (amortized growth). Ids are never reused or removed, so an id is stable for the
/// life of the interner. Owned by one shard thread: not thread-safe.
struct ByteStringInterner {
    private var slots: [UInt32]            // 0 = empty, else id
    private var hashes: [UInt64] = [0]     // by id; id 0 unused
    private var offsets: [Int] = [0]       // by id: start in arena
    private var lengths: [Int32] = [0]     // by id
    private var arena: [UInt8] = []
    private var mask: Int

    init(capacity: Int = 1024) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = Array(repeating: 0, count: size)
        mask = size - 1
    }

    /// Number of distinct strings interned.
    var count: Int { hashes.count - 1 }

    /// The id of `bytes`, interning it if new.
    mutating func intern(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        let hash = byteHash(bytes)
        var index = Int(truncatingIfNeeded: hash) & mask
        while true {
            let id = slots[index]
            if id == 0 { break }
            if hashes[Int(id)] == hash && equals(Int(id), bytes) { return id }
            index = (index &+ 1) & mask
        }
        let id = UInt32(hashes.count)
        hashes.append(hash)
        offsets.append(arena.count)
        lengths.append(Int32(bytes.count))
        arena.append(contentsOf: bytes)
        slots[index] = id
        if hashes.count * 2 > slots.count { grow() }
        return id
    }

    /// The bytes of `id`, valid until the next `intern`.
    func withBytes<R>(of id: UInt32, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let start = offsets[Int(id)]
        let length = Int(lengths[Int(id)])
        return try arena.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[start..<(start + length)])) }
    }

    /// The string of `id` (slow path: allocates).
    func string(of id: UInt32) -> String {
        withBytes(of: id) { String(decoding: $0, as: UTF8.self) }
    }

    private func equals(_ id: Int, _ bytes: UnsafeRawBufferPointer) -> Bool {
        guard Int(lengths[id]) == bytes.count else { return false }
        if bytes.isEmpty { return true }
        let start = offsets[id]
        return arena.withUnsafeBytes { memcmpEqual($0.baseAddress! + start, bytes.baseAddress!, bytes.count) }
    }

    private mutating func grow() {
        let size = slots.count * 2
        slots = Array(repeating: 0, count: size)
        mask = size - 1
        for id in 1..<hashes.count {
            var index = Int(truncatingIfNeeded: hashes[id]) & mask
            while slots[index] != 0 { index = (index &+ 1) & mask }
            slots[index] = UInt32(id)
        }
    }
}
