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
        CopyTextEscaping.forEachPiece(of: value, literal: { bytes.append(contentsOf: $0) }, escaped: {
            bytes.append(UInt8(ascii: "\\"))
            bytes.append($0)
        })
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

    /// An integer column, written digit by digit (no `String` per value: a flush writes millions).
    public mutating func integer(_ value: Int64) {
        separate()
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        appendDigits(of: value.magnitude)
    }

    public mutating func integer(_ value: Int32) { integer(Int64(value)) }
    public mutating func integer(_ value: Int) { integer(Int64(value)) }

    /// An exact decimal column in its shortest text (`ExactDecimal.description`: "1.5", "1500",
    /// "-0.000000000001"), written without building a `String`.
    public mutating func decimal(_ value: ExactDecimal) {
        separate()
        let magnitude = value.raw.magnitude
        if value.raw < 0 { bytes.append(UInt8(ascii: "-")) }
        let unit: UInt128 = 1_000_000_000_000
        let integerPart = magnitude / unit
        if integerPart <= UInt128(UInt64.max) {
            appendDigits(of: UInt64(integerPart))
        } else {
            let high = integerPart / 1_000_000_000_000_000_000
            appendDigits(of: UInt64(high))
            appendDigits(of: UInt64(integerPart % 1_000_000_000_000_000_000), width: 18)
        }
        var fraction = UInt64(magnitude % unit)
        guard fraction != 0 else { return }
        var width = ExactDecimal.scale
        while fraction % 10 == 0 { fraction /= 10; width -= 1 }
        bytes.append(UInt8(ascii: "."))
        appendDigits(of: fraction, width: width)
    }

    /// A billing period column, "YYYY-MM".
    public mutating func period(_ period: BillingPeriod) {
        separate()
        appendDigits(of: UInt64(period.year), width: 4)
        bytes.append(UInt8(ascii: "-"))
        appendDigits(of: UInt64(period.month), width: 2)
    }

    /// The decimal digits of `value`, left-padded with zeros to `width`.
    private mutating func appendDigits(of value: UInt64, width: Int = 1) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { buffer in
            var position = 20
            var rest = value
            repeat {
                position -= 1
                buffer[position] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            } while rest > 0 || 20 - position < width
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[position..<20]))
        }
    }

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
