/// Decodes the content of a JSON string that the scanner has already validated into UTF-8
/// text in a reusable buffer: escapes resolved, surrogate pairs joined.
///
/// A plain struct over an owned allocation: the owner calls `deallocate()` once. It grows only
/// for a string longer than any seen before, so steady-state decoding does not allocate.
/// Strings without escapes are returned in place, without copying. One thread at a time.
struct JSONStringDecoder {
    private var storage: UnsafeMutablePointer<UInt8>
    private var capacity: Int

    init(capacity: Int = 4096) {
        self.capacity = capacity
        self.storage = .allocate(capacity: capacity)
    }

    func deallocate() { storage.deallocate() }

    /// The decoded text of `ref` (a validated string span of `bytes`), valid until the next call.
    mutating func text(of ref: JSONValueRef, in bytes: UnsafePointer<UInt8>) -> UnsafeRawBufferPointer {
        let start = Int(ref.start)
        let end = Int(ref.end)
        guard ref.hasEscapes else {
            return UnsafeRawBufferPointer(start: bytes + start, count: end &- start)
        }
        if end &- start > capacity { grow(to: end &- start) }
        var out = 0
        var index = start
        while index < end {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "\\") else {
                storage[out] = byte
                out &+= 1
                index &+= 1
                continue
            }
            let escape = bytes[index &+ 1]
            index &+= 2
            switch escape {
            case UInt8(ascii: "b"): storage[out] = 0x08; out &+= 1
            case UInt8(ascii: "f"): storage[out] = 0x0C; out &+= 1
            case UInt8(ascii: "n"): storage[out] = 0x0A; out &+= 1
            case UInt8(ascii: "r"): storage[out] = 0x0D; out &+= 1
            case UInt8(ascii: "t"): storage[out] = 0x09; out &+= 1
            case UInt8(ascii: "u"):
                var scalar = UInt32(Self.hex(bytes, index))
                index &+= 4
                if scalar >= 0xD800 && scalar <= 0xDBFF {
                    let low = UInt32(Self.hex(bytes, index &+ 2))
                    index &+= 6
                    scalar = 0x10000 &+ ((scalar &- 0xD800) << 10) &+ (low &- 0xDC00)
                }
                out = Self.appendUTF8(scalar, to: storage, at: out)
            default:   // \" \\ \/
                storage[out] = escape
                out &+= 1
            }
        }
        return UnsafeRawBufferPointer(start: storage, count: out)
    }

    private mutating func grow(to size: Int) {
        storage.deallocate()
        capacity = max(size, capacity * 2)
        storage = .allocate(capacity: capacity)
    }

    private static func hex(_ bytes: UnsafePointer<UInt8>, _ position: Int) -> UInt16 {
        var value: UInt16 = 0
        for offset in 0..<4 {
            let byte = bytes[position &+ offset]
            let digit: UInt8 = byte <= 57 ? byte &- 48 : (byte | 0x20) &- 87
            value = value << 4 | UInt16(digit)
        }
        return value
    }

    private static func appendUTF8(_ scalar: UInt32, to out: UnsafeMutablePointer<UInt8>, at position: Int) -> Int {
        switch scalar {
        case 0..<0x80:
            out[position] = UInt8(scalar)
            return position &+ 1
        case 0x80..<0x800:
            out[position] = UInt8(0xC0 | scalar >> 6)
            out[position &+ 1] = UInt8(0x80 | scalar & 0x3F)
            return position &+ 2
        case 0x800..<0x10000:
            out[position] = UInt8(0xE0 | scalar >> 12)
            out[position &+ 1] = UInt8(0x80 | scalar >> 6 & 0x3F)
            out[position &+ 2] = UInt8(0x80 | scalar & 0x3F)
            return position &+ 3
        default:
            out[position] = UInt8(0xF0 | scalar >> 18)
            out[position &+ 1] = UInt8(0x80 | scalar >> 12 & 0x3F)
            out[position &+ 2] = UInt8(0x80 | scalar >> 6 & 0x3F)
            out[position &+ 3] = UInt8(0x80 | scalar & 0x3F)
            return position &+ 4
        }
    }
}
