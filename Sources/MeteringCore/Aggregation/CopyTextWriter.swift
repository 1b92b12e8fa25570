/// Builds rows in Postgres `COPY … FROM STDIN` text format: tab-separated columns, one row
/// per line, `\N` for NULL, and backslash escapes for backslash, tab, newline and carriage
/// return. The buffer keeps its capacity across `removeAll`. Owned by one thread.
public struct CopyTextWriter: Sendable {
    public private(set) var bytes: [UInt8] = []
    public private(set) var rows = 0
    private var columnsInRow = 0
    /// The row being written, appended to `bytes` whole at `endRow` (or when it fills): an
    /// `Array.append` checks capacity and uniqueness each time, and a row is ~40 small pieces,
    /// which cost half a flush's encoding when each was its own append.
    private var pending = RowBuffer()
    private var pendingCount = 0

    /// 256 bytes kept inline, so writing into them needs no allocation and no exclusivity check.
    private struct RowBuffer {
        var words: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                    UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                    UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                    UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        static let capacity = 256
    }

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
        pendingCount = 0
    }

    // MARK: the row buffer

    /// Moves the row written so far to `bytes`.
    private mutating func spill() {
        guard pendingCount > 0 else { return }
        let count = pendingCount
        withUnsafeBytes(of: &pending) { bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
        pendingCount = 0
    }

    /// Writes up to `maximum` bytes at the end of the row with `body`, which returns how many it wrote.
    @inline(__always)
    private mutating func write(atMost maximum: Int, _ body: (UnsafeMutableRawPointer) -> Int) {
        if pendingCount + maximum > RowBuffer.capacity { spill() }
        let start = pendingCount
        pendingCount += withUnsafeMutableBytes(of: &pending) { body($0.baseAddress! + start) }
    }

    @inline(__always)
    private mutating func put(_ byte: UInt8) {
        write(atMost: 1) { $0.storeBytes(of: byte, as: UInt8.self); return 1 }
    }

    private mutating func put(contentsOf piece: UnsafeRawBufferPointer) {
        guard piece.count <= RowBuffer.capacity / 2 else {
            spill()
            bytes.append(contentsOf: piece)
            return
        }
        write(atMost: piece.count) { destination in
            if let source = piece.baseAddress { destination.copyMemory(from: source, byteCount: piece.count) }
            return piece.count
        }
    }

    private mutating func separate() {
        if columnsInRow > 0 { put(0x09) }
        columnsInRow += 1
    }

    // MARK: columns

    /// A text column from UTF-8 bytes, escaped for COPY.
    public mutating func text(_ value: UnsafeRawBufferPointer) {
        separate()
        CopyTextEscaping.forEachPiece(of: value, literal: { put(contentsOf: $0) }, escaped: {
            put(UInt8(ascii: "\\"))
            put($0)
        })
    }

    /// A text column already escaped for COPY (prepared once with `escaped(_:)`, written for many rows).
    mutating func escapedText(_ column: UnsafeRawBufferPointer) {
        separate()
        put(contentsOf: column)
    }

    /// `text` escaped for COPY, to be written with `escapedText` again and again.
    static func escaped(_ text: UnsafeRawBufferPointer) -> [UInt8] {
        var writer = CopyTextWriter()
        writer.text(text)
        writer.endRow()
        return Array(writer.bytes.dropLast())
    }

    public mutating func text(_ value: String) {
        var value = value
        value.withUTF8 { text(UnsafeRawBufferPointer($0)) }
    }

    /// A column whose text needs no escaping (digits, signs, points).
    public mutating func plain(_ value: String) {
        separate()
        var value = value
        value.withUTF8 { put(contentsOf: UnsafeRawBufferPointer($0)) }
    }

    /// An integer column, written digit by digit (no `String` per value: a flush writes millions).
    public mutating func integer(_ value: Int64) {
        separate()
        if value < 0 { put(UInt8(ascii: "-")) }
        appendDigits(of: value.magnitude)
    }

    public mutating func integer(_ value: Int32) { integer(Int64(value)) }
    public mutating func integer(_ value: Int) { integer(Int64(value)) }

    /// An exact decimal column in its shortest text (`ExactDecimal.description`: "1.5", "1500",
    /// "-0.000000000001"), written without building a `String`.
    public mutating func decimal(_ value: ExactDecimal) {
        separate()
        let magnitude = value.raw.magnitude
        if value.raw < 0 { put(UInt8(ascii: "-")) }
        let unit: UInt128 = 1_000_000_000_000
        if magnitude <= UInt128(UInt64.max) {
            // The usual case: 64-bit divisions, not the 128-bit library routine.
            let small = UInt64(magnitude)
            appendDigits(of: small / 1_000_000_000_000)
            appendFraction(small % 1_000_000_000_000)
            return
        }
        let integerPart = magnitude / unit
        if integerPart <= UInt128(UInt64.max) {
            appendDigits(of: UInt64(integerPart))
        } else {
            let high = integerPart / 1_000_000_000_000_000_000
            appendDigits(of: UInt64(high))
            appendDigits(of: UInt64(integerPart % 1_000_000_000_000_000_000), width: 18)
        }
        appendFraction(UInt64(magnitude % unit))
    }

    /// ".digits" of a fraction in units of 10⁻¹², without trailing zeros; nothing for zero.
    private mutating func appendFraction(_ units: UInt64) {
        var fraction = units
        guard fraction != 0 else { return }
        var width = ExactDecimal.scale
        while fraction % 10 == 0 { fraction /= 10; width -= 1 }
        put(UInt8(ascii: "."))
        appendDigits(of: fraction, width: width)
    }

    /// A billing period column, "YYYY-MM".
    public mutating func period(_ period: BillingPeriod) {
        separate()
        appendDigits(of: UInt64(period.year), width: 4)
        put(UInt8(ascii: "-"))
        appendDigits(of: UInt64(period.month), width: 2)
    }

    /// The decimal digits of `value`, left-padded with zeros to `width` (at most 20).
    private mutating func appendDigits(of value: UInt64, width: Int = 1) {
        var length = 1
        var bound: UInt64 = 10
        while length < 20, value >= bound { length += 1; bound = bound &* 10 }
        length = max(length, width)
        write(atMost: length) { destination in
            var rest = value
            for position in stride(from: length - 1, through: 0, by: -1) {
                destination.storeBytes(of: UInt8(ascii: "0") + UInt8(rest % 10), toByteOffset: position, as: UInt8.self)
                rest /= 10
            }
            return length
        }
    }

    public mutating func null() {
        separate()
        write(atMost: 2) { destination in
            destination.storeBytes(of: 0x5C, as: UInt8.self)
            destination.storeBytes(of: UInt8(ascii: "N"), toByteOffset: 1, as: UInt8.self)
            return 2
        }
    }

    public mutating func endRow() {
        put(0x0A)
        spill()
        rows += 1
        columnsInRow = 0
    }
}
