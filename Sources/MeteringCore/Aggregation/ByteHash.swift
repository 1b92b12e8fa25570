/// A fast 64-bit hash of a byte string for in-memory hash tables (not for security, not stable
/// across versions). Reads 8 bytes at a time; allocation-free. Different seeds give hashes
/// that are independent enough to be used side by side as one wider hash.
@inlinable
func byteHash(_ bytes: UnsafeRawBufferPointer, seed: UInt64 = 0x243F_6A88_85A3_08D3) -> UInt64 {
    let hash: UInt64 = seed ^ UInt64(bytes.count)
    guard let base = bytes.baseAddress else { return mix64(hash) }
    return byteHashFinish(hash, base, from: 0, count: bytes.count)
}

/// The rest of a hash from `index`: the whole words one step each, the tail word, the finalizer.
@inlinable
func byteHashFinish(_ hash: UInt64, _ base: UnsafeRawPointer, from index: Int, count: Int) -> UInt64 {
    var hash = hash
    var index = index
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

/// The 0–7 bytes from `index` to `count`, as one little-endian word. Four to seven bytes are two
/// 4-byte loads that overlap (the shared bytes land on the same bits, so OR-ing them is exact);
/// fewer are one or two loads. Never reads outside `index ..< count`.
@inlinable
func byteHashTailWord(_ base: UnsafeRawPointer, from index: Int, count: Int) -> UInt64 {
    let left = count &- index
    if left >= 4 {
        let low = UInt64(base.loadUnaligned(fromByteOffset: index, as: UInt32.self))
        let high = UInt64(base.loadUnaligned(fromByteOffset: count &- 4, as: UInt32.self))
        return low | high << (UInt64(left &- 4) &* 8)
    }
    switch left {
    case 3:
        return UInt64(base.loadUnaligned(fromByteOffset: index, as: UInt16.self))
            | UInt64(base.load(fromByteOffset: index &+ 2, as: UInt8.self)) << 16
    case 2: return UInt64(base.loadUnaligned(fromByteOffset: index, as: UInt16.self))
    case 1: return UInt64(base.load(fromByteOffset: index, as: UInt8.self))
    default: return 0
    }
}

/// A 64-bit hash for longer byte strings (a whole event's payload, for the dedup window's
/// conflict check): `byteHash`'s step over four lanes of 8-byte words, 32 bytes a round, so the
/// CPU runs four multiply chains side by side instead of one (about half the time of `byteHash`
/// over 150–190 bytes); the lanes are folded with the same step, and what is left goes word by
/// word. Each step is a bijection of its hash for a given word and of its word for a given hash,
/// so two strings of the same length that differ in one 8-byte word always hash apart. Not the
/// values of `byteHash`; shorter than 32 bytes, it is `byteHash`.
@inlinable
func wideByteHash(_ bytes: UnsafeRawBufferPointer, seed: UInt64) -> UInt64 {
    let count = bytes.count
    guard count >= 32, let base = bytes.baseAddress else { return byteHash(bytes, seed: seed) }
    var first = seed ^ UInt64(count)
    var second = seed &+ 0x9E37_79B9_7F4A_7C15
    var third = seed ^ 0xC2B2_AE3D_27D4_EB4F
    var fourth = seed &- 0x1656_67B1_9E37_79F9
    var index = 0
    while index &+ 32 <= count {
        first = byteHashStep(first, base.loadUnaligned(fromByteOffset: index, as: UInt64.self))
        second = byteHashStep(second, base.loadUnaligned(fromByteOffset: index &+ 8, as: UInt64.self))
        third = byteHashStep(third, base.loadUnaligned(fromByteOffset: index &+ 16, as: UInt64.self))
        fourth = byteHashStep(fourth, base.loadUnaligned(fromByteOffset: index &+ 24, as: UInt64.self))
        index &+= 32
    }
    let folded = byteHashStep(byteHashStep(byteHashStep(first, second), third), fourth)
    return byteHashFinish(folded, base, from: index, count: count)
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
