import NIOCore
@testable import PostgresStore
import Testing

/// The batch id goes before every row however the COPY text is cut into chunks (slices of
/// adopted rows or of a buffer, alternately), and an escaped newline inside a field (`\n`, two
/// bytes) is not a row end.
@Suite struct BatchRowStreamTests {
    static let rows = "acct-1\tapi\\nline\t2026-11\t3\nacct-2\tx\t2026-11\t\\N\n\nacct-3\ty\t2026-12\t7\n"
    static let expected = "42\tacct-1\tapi\\nline\t2026-11\t3\n42\tacct-2\tx\t2026-11\t\\N\n42\t\n42\tacct-3\ty\t2026-12\t7\n"

    @Test(arguments: [1, 2, 3, 5, 7, 16, 1000])
    func everyRowIsPrefixedWhateverTheChunkSize(size: Int) {
        let bytes = Array(Self.rows.utf8)
        var stream = BatchRowStream(batch: 42)
        var out: [UInt8] = []
        var start = 0
        while start < bytes.count {
            let end = min(start + size, bytes.count)
            let piece: CopyTextChunk = (start / size).isMultiple(of: 2)
                ? .rows(bytes[start..<end]) : .buffer(ByteBuffer(bytes: bytes[start..<end]))
            let chunk = stream.prefixed(piece)
            out += chunk.readableBytesView
            start = end
        }
        #expect(String(decoding: out, as: UTF8.self) == Self.expected)
    }
}
