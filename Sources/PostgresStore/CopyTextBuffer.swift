import MeteringCore
import NIOCore

/// Bytes of a `COPY … FROM STDIN (FORMAT text)` stream, built field by field.
///
/// Text fields are escaped as COPY's text format requires: backslash, tab, newline and carriage return become
/// `\\`, `\t`, `\n`, `\r`; everything else, multi-byte UTF-8 included, is copied as is. A NULL is `\N`.
/// Appending is amortised O(length of the field) and allocates only when the buffer grows. Value type.
struct CopyTextBuffer: Sendable {
    /// Rows adopted whole, without a copy (shards' encoded deltas); they come before `bytes`.
    private(set) var adopted: [[UInt8]] = []
    private(set) var bytes: ByteBuffer

    init(capacity: Int) {
        bytes = ByteBufferAllocator().buffer(capacity: capacity)
    }

    var byteCount: Int { adopted.reduce(0) { $0 + $1.count } + bytes.readableBytes }

    mutating func removeAll() {
        adopted = []
        bytes.clear()
    }

    /// Appends whole rows that are already COPY text (escaped, tab-separated, newline-ended).
    mutating func writeEncodedRows(_ rows: UnsafeRawBufferPointer) {
        bytes.writeBytes(rows)
    }

    /// The same, taking the array itself while nothing was written field by field (no copy: a
    /// large flush would otherwise hold its rows twice).
    mutating func adoptEncodedRows(_ rows: [UInt8]) {
        if bytes.readableBytes == 0 { adopted.append(rows) } else { rows.withUnsafeBytes { writeEncodedRows($0) } }
    }

    mutating func append(_ other: CopyTextBuffer) {
        for rows in other.adopted { rows.withUnsafeBytes { writeEncodedRows($0) } }
        var source = other.bytes
        bytes.writeBuffer(&source)
    }

    /// The content in order, in pieces of at most `size` bytes, none of them copied.
    func forEachChunk(ofAtMost size: Int, _ body: (CopyTextChunk) async throws -> Void) async throws {
        for rows in adopted {
            var start = 0
            while start < rows.count {
                let end = min(start + size, rows.count)
                try await body(.rows(rows[start..<end]))
                start = end
            }
        }
        var remaining = bytes
        while remaining.readableBytes > 0 {
            try await body(.buffer(remaining.readSlice(length: min(size, remaining.readableBytes))!))
        }
    }

    /// Writes the field separator (a tab).
    @inline(__always)
    mutating func separator() {
        bytes.writeInteger(UInt8(ascii: "\t"))
    }

    /// Ends the row (a newline).
    @inline(__always)
    mutating func endRow() {
        bytes.writeInteger(UInt8(ascii: "\n"))
    }

    mutating func writeNull() {
        bytes.writeInteger(UInt16(UInt8(ascii: "\\")) << 8 | UInt16(UInt8(ascii: "N")), endianness: .big)
    }

    mutating func writeEscaped(_ text: String) {
        var text = text
        text.withUTF8 { writeEscaped(UnsafeRawBufferPointer($0)) }
    }

    /// Writes UTF-8 bytes, escaping COPY's special characters; runs without specials are copied in one piece.
    mutating func writeEscaped(_ field: UnsafeRawBufferPointer) {
        CopyTextEscaping.forEachPiece(of: field, literal: { bytes.writeBytes($0) }, escaped: {
            bytes.writeInteger(UInt8(ascii: "\\"))
            bytes.writeInteger($0)
        })
    }

    mutating func writeOptionalEscaped(_ field: UnsafeRawBufferPointer?) {
        if let field { writeEscaped(field) } else { writeNull() }
    }

    mutating func writeOptionalEscaped(_ text: String?) {
        if let text { writeEscaped(text) } else { writeNull() }
    }

    /// Writes the decimal digits of `value` without going through a `String`.
    mutating func writeDecimal<Integer: FixedWidthInteger & SignedInteger>(_ value: Integer) {
        var magnitude = value.magnitude
        if value < 0 { bytes.writeInteger(UInt8(ascii: "-")) }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: room for the 20 digits of UInt64.max
        withUnsafeMutableBytes(of: &digits) { scratch in
            var position = scratch.count
            repeat {
                position -= 1
                scratch[position] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: magnitude % 10)
                magnitude /= 10
            } while magnitude != 0
            bytes.writeBytes(UnsafeRawBufferPointer(rebasing: scratch[position...]))
        }
    }
}

/// A piece of COPY text on its way out: a slice of rows adopted whole, or of the bytes written
/// field by field. Either way a view, not a copy.
enum CopyTextChunk {
    case rows(ArraySlice<UInt8>)
    case buffer(ByteBuffer)

    func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        switch self {
        case .rows(let slice): return try slice.withUnsafeBytes(body)
        case .buffer(let buffer): return try buffer.withUnsafeReadableBytes(body)
        }
    }
}

/// Calls `body` with the UTF-8 bytes of each string, in order (for the `String` conveniences of
/// the COPY row types, which share the byte path).
func withUTF8Fields<Result>(_ fields: [String], _ body: ([UnsafeRawBufferPointer]) -> Result) -> Result {
    let arrays = fields.map { Array($0.utf8) }
    func nest(_ index: Int, _ buffers: [UnsafeRawBufferPointer]) -> Result {
        guard index < arrays.count else { return body(buffers) }
        return arrays[index].withUnsafeBytes { nest(index + 1, buffers + [$0]) }
    }
    return nest(0, [])
}
