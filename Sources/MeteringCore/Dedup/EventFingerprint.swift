/// What the dedup window remembers of one event: 96 bits of a hash of its (`source`, `id`)
/// pair, which stands for the pair, and 24 bits of a hash of its payload bytes, which tells a
/// re-sent copy from a conflicting one (DESIGN §5).
///
/// Odds: two different pairs share a 96-bit hash with probability 2⁻⁹⁶; among n ids remembered
/// at once in one partition, some pair does with probability about n² / 2⁹⁷ (n = 10⁸: 6 · 10⁻¹³),
/// and only then could a unique event be taken for a duplicate. Two different payloads share a
/// 24-bit fingerprint with probability 2⁻²⁴: such a conflicting copy is dropped as a plain
/// duplicate instead of being dead-lettered (it is never metered twice either way).
public struct EventFingerprint: Hashable, Sendable {
    /// 64 bits of the identity hash; never 0 (0 marks an empty slot).
    public var key: UInt64
    /// 32 more bits of the identity hash.
    public var check: UInt32
    /// 24 bits of the payload hash (the high byte is 0).
    public var payload: UInt32

    public init(key: UInt64, check: UInt32, payload: UInt32) {
        self.key = key == 0 ? 1 : key
        self.check = check
        self.payload = payload & 0xFF_FFFF
    }

    /// The fingerprint of an event from its decoded `source` and `id` and its raw payload.
    /// `source` and `id` are hashed separately and combined in order, so ("ab", "c") and
    /// ("a", "bc") differ. Allocation-free.
    @inlinable
    public init(sourceHash: (UInt64, UInt64), idHash: (UInt64, UInt64), payload: UnsafeRawBufferPointer) {
        let first = mix64(sourceHash.0 &* 0x9E37_79B9_7F4A_7C15 ^ idHash.0)
        let second = mix64(sourceHash.1 &* 0xC2B2_AE3D_27D4_EB4F ^ idHash.1)
        self.init(key: first, check: UInt32(truncatingIfNeeded: second),
                  payload: UInt32(truncatingIfNeeded: wideByteHash(payload, seed: Self.payloadSeed)))
    }

    /// The two independent 64-bit hashes of one attribute's decoded text (one pass over it).
    @inlinable
    public static func attributeHash(_ text: UnsafeRawBufferPointer) -> (UInt64, UInt64) {
        byteHashPair(text, seeds: (firstSeed, secondSeed))
    }

    @usableFromInline static let firstSeed: UInt64 = 0x6A09_E667_F3BC_C908
    @usableFromInline static let secondSeed: UInt64 = 0xBB67_AE85_84CA_A73B
    @usableFromInline static let payloadSeed: UInt64 = 0x3C6E_F372_FE94_F82B
}

/// What the dedup window says of an event.
public enum DedupVerdict: Hashable, Sendable {
    /// Not seen within the window: meter it (it is remembered now).
    case first
    /// The same (source, id) and the same payload arrived within the window: drop it, count it.
    case duplicate
    /// The same (source, id) with a different payload: dead-letter it as `conflicting_duplicate`.
    case conflict
}
