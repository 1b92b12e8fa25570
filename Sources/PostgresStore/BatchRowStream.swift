import Glibc
import NIOCore

/// Streams COPY text rows with one more leading column, the same for every row: a flush's batch
/// id. Rows are newline-terminated; COPY's text format escapes a newline inside a field as
/// `\n`, so a raw newline byte only ever ends a row. Chunks may end in the middle of a row.
/// Copies each byte once (rows found with `memchr`); allocates one output buffer per chunk.
struct BatchRowStream {
    private let prefix: [UInt8]
    private var atRowStart = true

    /// `batch` becomes the first field of every row.
    init(batch: Int64) {
        prefix = Array("\(batch)\t".utf8)
    }

    /// The chunk with the prefix written before every row that starts in it.
    mutating func prefixed(_ chunk: CopyTextChunk) -> ByteBuffer {
        chunk.withUnsafeBytes { prefixed($0) }
    }

    private mutating func prefixed(_ bytes: UnsafeRawBufferPointer) -> ByteBuffer {
        var out = ByteBufferAllocator().buffer(capacity: bytes.count + bytes.count / 16 + prefix.count)
        guard let base = bytes.baseAddress else { return out }
        var start = 0
        while start < bytes.count {
            if atRowStart { out.writeBytes(prefix) }
            if let newline = memchr(base + start, Int32(UInt8(ascii: "\n")), bytes.count - start) {
                let end = base.distance(to: UnsafeRawPointer(newline)) + 1
                out.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
                start = end
                atRowStart = true
            } else {
                out.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[start...]))
                start = bytes.count
                atRowStart = false
            }
        }
        return out
    }
}
