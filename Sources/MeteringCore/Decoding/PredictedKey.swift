/// A member key as it stood last time at one place of an object (producers write their keys in
/// the same order event after event), to recognize it again with two 8-byte compares instead of
/// scanning it: the bytes `"key":` exactly, up to 16 of them, and what the caller made of the
/// key (`meaning`: an attribute, a trie node).
///
/// Matching is exact: the same bytes scan the same way, so a hit accepts what a scan would have
/// accepted, and anything else (another key, whitespace, escapes, a longer key) falls back to
/// the scan, which then learns the new key in its place.
struct PredictedKey {
    private var words: (UInt64, UInt64) = (1, 0)   // nothing learned: no bytes match (x & 0 ≠ 1)
    private var masks: (UInt64, UInt64) = (0, 0)
    /// The key's length without quotes; -1 = nothing learned here.
    private(set) var length: Int32 = -1
    private(set) var meaning: Int32 = 0

    static let none = PredictedKey()

    /// The longest key learned: `"`, the key, `"` and `:` fill 16 bytes.
    static let maximumLength = 13

    /// Learns `key`, a string the scanner validated in `bytes`, if it has no escapes, is short
    /// enough, and its colon follows its closing quote directly; otherwise forgets this place.
    mutating func learn(_ key: JSONValueRef, in bytes: UnsafePointer<UInt8>, count: Int, meaning: Int32) {
        let start = Int(key.start), end = Int(key.end)
        let patternLength = end &- start &+ 3
        guard !key.hasEscapes, start >= 1, end &- start <= Self.maximumLength, end &+ 1 < count,
              bytes[end &+ 1] == UInt8(ascii: ":") else {
            self = .none
            return
        }
        var pattern: (UInt64, UInt64) = (0, 0)
        withUnsafeMutableBytes(of: &pattern) { $0.baseAddress!.copyMemory(from: bytes + (start &- 1), byteCount: patternLength) }
        words = pattern
        masks = (Self.mask(bytes: min(patternLength, 8)), Self.mask(bytes: max(patternLength &- 8, 0)))
        length = Int32(end &- start)
        self.meaning = meaning
    }

    /// Whether the 16 bytes at `position` begin with this key's `"key":`; the caller checks
    /// that 16 bytes remain in its buffer.
    @inline(__always)
    func matches(at position: UnsafePointer<UInt8>) -> Bool {
        let raw = UnsafeRawPointer(position)
        let first = raw.loadUnaligned(as: UInt64.self)
        let second = raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
        return (first & masks.0) == words.0 && (second & masks.1) == words.1
    }

    /// A little-endian mask of the first `bytes` bytes of a word.
    private static func mask(bytes: Int) -> UInt64 {
        bytes >= 8 ? ~0 : (UInt64(1) << UInt64(bytes * 8)) &- 1
    }
}

extension JSONScanner {
    /// At a key's opening quote: if the key is `predicted`, moves past it and its colon and
    /// returns it; otherwise returns nil without moving.
    @inline(__always)
    mutating func scanKey(predicted: PredictedKey) -> JSONValueRef? {
        guard index &+ 16 <= count, predicted.matches(at: bytes + index) else { return nil }
        let start = index &+ 1
        let end = start &+ Int(predicted.length)
        index = end &+ 2
        return JSONValueRef(kind: .string, hasEscapes: false, start: Int32(start), end: Int32(end))
    }
}
