/// Builds rows in Postgres `COPY … FROM STDIN` text format: tab-separated columns, one row
/// per line, `\N` for NULL, and backslash escapes for backslash, tab, newline and carriage
/// return. The buffer keeps its capacity across `removeAll`. Owned by one thread.
public struct CopyTextWriter: Sendable {
    public private(set) var bytes: [UInt8] = []
    public private(set) var rows = 0
    private var columnsInRow = 0

    public init() {}

    public var isEmpty: Bool { rows == 0 }

    /// Makes room for `byteCount` bytes in all, so a large delta grows its buffer once.
    public mutating func reserveCapacity(_ byteCount: Int) {
        bytes.reserveCapacity(byteCount)
    }

    public mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        rows = 0
        columnsInRow = 0
    }

    private mutating func separate() {
        if columnsInRow > 0 { bytes.append(0x09) }
        columnsInRow += 1
    }

    /// A text column from UTF-8 bytes, escaped for COPY.
    public mutating func text(_ value: UnsafeRawBufferPointer) {
        separate()
        for byte in value {
            switch byte {
            case 0x5C: bytes.append(0x5C); bytes.append(0x5C)
            case 0x09: bytes.append(0x5C); bytes.append(UInt8(ascii: "t"))
            case 0x0A: bytes.append(0x5C); bytes.append(UInt8(ascii: "n"))
            case 0x0D: bytes.append(0x5C); bytes.append(UInt8(ascii: "r"))
            default: bytes.append(byte)
            }
        }
    }

    public mutating func text(_ value: String) {
        var value = value
        value.withUTF8 { text(UnsafeRawBufferPointer($0)) }
    }

    /// A column whose text needs no escaping (digits, signs, points).
    public mutating func plain(_ value: String) {
        separate()
        bytes.append(contentsOf: value.utf8)
    }

    public mutating func integer<I: BinaryInteger>(_ value: I) { plain(String(value)) }

    public mutating func null() {
        separate()
        bytes.append(0x5C)
        bytes.append(UInt8(ascii: "N"))
    }

    public mutating func endRow() {
        bytes.append(0x0A)
        rows += 1
        columnsInRow = 0
    }
}
