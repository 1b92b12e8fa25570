/// A fast 64-bit hash of a byte string for in-memory hash tables (not for security, not stable
/// across versions). Reads 8 bytes at a time; allocation-free. Different seeds give hashes
/// that are independent enough to be used side by side as one wider hash.
@inlinable
func byteHash(_ bytes: UnsafeRawBufferPointer, seed: UInt64 = 0x243F_6A88_85A3_08D3) -> UInt64 {
    var hash: UInt64 = seed ^ UInt64(bytes.count)
    guard let base = bytes.baseAddress else { return mix64(hash) }
    var index = 0
    let count = bytes.count
    while index &+ 8 <= count {
        hash = byteHashStep(hash, base.loadUnaligned(fromByteOffset: index, as: UInt64.self))
        index &+= 8
    }
    return mix64(byteHashLast(hash, byteHashTailWord(base, from: index, count: count)))
}

/// `byteHash` of the same bytes under two seeds, in one pass: the same two values as two calls,
/// with the two multiply chains interleaved so the CPU runs them side by side.
@inlinable
func byteHashPair(_ bytes: UnsafeRawBufferPointer, seeds: (UInt64, UInt64)) -> (UInt64, UInt64) {
    var first = seeds.0 ^ UInt64(bytes.count)
    var second = seeds.1 ^ UInt64(bytes.count)
    guard let base = bytes.baseAddress else { return (mix64(first), mix64(second)) }
    var index = 0
    let count = bytes.count
    while index &+ 8 <= count {
        let word = base.loadUnaligned(fromByteOffset: index, as: UInt64.self)
        first = byteHashStep(first, word)
        second = byteHashStep(second, word)
        index &+= 8
    }
    let tail = byteHashTailWord(base, from: index, count: count)
    return (mix64(byteHashLast(first, tail)), mix64(byteHashLast(second, tail)))
}

/// `byteHash`'s step over one full 8-byte word.
@inlinable
func byteHashStep(_ hash: UInt64, _ word: UInt64) -> UInt64 {
    let mixed = (hash ^ word) &* 0x9E37_79B9_7F4A_7C15
    return (mixed << 29) | (mixed >> 35)
}

/// The 0–7 bytes from `index` to `count`, as one little-endian word.
@inlinable
func byteHashTailWord(_ base: UnsafeRawPointer, from index: Int, count: Int) -> UInt64 {
    var tail: UInt64 = 0
    var shift: UInt64 = 0
    var position = index
    while position < count {
        tail |= UInt64(base.load(fromByteOffset: position, as: UInt8.self)) << shift
        shift &+= 8
        position &+= 1
    }
    return tail
}

/// `byteHash`'s last step, over the tail word (before the finalizer).
@inlinable
func byteHashLast(_ hash: UInt64, _ tail: UInt64) -> UInt64 {
    (hash ^ tail) &* 0x9E37_79B9_7F4A_7C15
}

/// The 64-bit finalizer of MurmurHash3: spreads every input bit over the output.
@inlinable
func mix64(_ value: UInt64) -> UInt64 {
    var x = value
    x ^= x >> 33
    x &*= 0xFF51_AFD7_ED55_8CCD
    x ^= x >> 33
    x &*= 0xC4CE_B9FE_1A85_EC53
    x ^= x >> 33
    return x
}
