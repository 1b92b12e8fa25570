/// UNIQUE_COUNT members seen by one flush, encoded as COPY text rows (account, meter, period, dimensions, value).
///
/// Append-only; duplicates are allowed (the flush keeps one). Value type (copy-on-write bytes); not for
/// concurrent mutation.
public struct UniqueValueCopyRows: Sendable {
    var text: CopyTextBuffer
    /// Rows appended so far, duplicates included.
    public private(set) var count = 0

    public init(reservingBytes: Int = 1024) {
        text = CopyTextBuffer(capacity: reservingBytes)
    }

    public var isEmpty: Bool { count == 0 }
    /// Size of the encoded rows in bytes.
    public var byteCount: Int { text.byteCount }

    public mutating func removeAll() {
        text.removeAll()
        count = 0
    }

    /// Appends one member; `value` is the value's text as compared for uniqueness (DESIGN §2).
    public mutating func append(account: String, meter: String, period: String, dimensions: String, value: String) {
        withUTF8Fields([account, meter, period, dimensions, value]) { bytes in
            append(account: bytes[0], meter: bytes[1], period: bytes[2], dimensions: bytes[3], value: bytes[4])
        }
    }

    /// The same as the `String` variant, reading every field from UTF-8 bytes.
    public mutating func append(account: UnsafeRawBufferPointer, meter: UnsafeRawBufferPointer,
                                period: UnsafeRawBufferPointer, dimensions: UnsafeRawBufferPointer,
                                value: UnsafeRawBufferPointer) {
        text.writeEscaped(account)
        text.separator()
        text.writeEscaped(meter)
        text.separator()
        text.writeEscaped(period)
        text.separator()
        text.writeEscaped(dimensions)
        text.separator()
        text.writeEscaped(value)
        text.endRow()
        count += 1
    }

    /// Delta table columns, in the order the rows are written.
    static let columns = ["account", "meter", "period", "dimensions", "value"]
}

extension UniqueValueCopyRows {
    /// Appends `rows` rows already encoded as COPY text (account, meter, period, dimensions, value).
    public mutating func appendEncodedRows(_ encoded: UnsafeRawBufferPointer, rows: Int) {
        guard rows > 0 else { return }
        text.writeEncodedRows(encoded)
        count += rows
    }

    /// The same, taking the array itself (no copy) while no row was appended field by field.
    public mutating func adoptEncodedRows(_ encoded: [UInt8], rows: Int) {
        guard rows > 0 else { return }
        text.adoptEncodedRows(encoded)
        count += rows
    }
}
