import NIOCore

/// Streams COPY text rows with one more leading column, the same for every row: a flush's batch
/// id. Rows are newline-terminated; COPY's text format escapes a newline inside a field as
/// `\n`, so a raw newline byte only ever ends a row. Chunks may end in the middle of a row.
/// Copies each byte once; allocates one output buffer per chunk.
struct BatchRowStream {
    private let prefix: [UInt8]
    private var atRowStart = true

    /// `batch` becomes the first field of every row.
    init(batch: Int64) {
        prefix = Array("\(batch)\t".utf8)
    }

    /// The chunk with the prefix written before every row that starts in it.
    mutating func prefixed(_ chunk: ByteBuffer) -> ByteBuffer {
        var out = ByteBufferAllocator().buffer(capacity: chunk.readableBytes + chunk.readableBytes / 16 + prefix.count)
        chunk.withUnsafeReadableBytes { bytes in
            var start = 0
            while start < bytes.count {
                if atRowStart { out.writeBytes(prefix) }
                let rest = UnsafeRawBufferPointer(rebasing: bytes[start...])
                if let newline = rest.firstIndex(of: UInt8(ascii: "\n")) {
                    let end = start + (newline - rest.startIndex) + 1
                    out.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
                    start = end
                    atRowStart = true
                } else {
                    out.writeBytes(rest)
                    start = bytes.count
                    atRowStart = false
                }
            }
        }
        return out
    }
}
