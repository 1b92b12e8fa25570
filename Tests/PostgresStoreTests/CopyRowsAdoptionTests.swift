import NIOCore
import Testing
@testable import PostgresStore

/// A flush hands a shard's encoded rows to COPY without copying them (`CopyTextChunk` is a
/// view); what goes out must be the same bytes, in the same order, in bounded chunks.
@Suite struct CopyRowsAdoption {
    private func sent(_ rows: TotalsCopyRows, chunk: Int) async throws -> [String] {
        var chunks: [String] = []
        try await rows.text.forEachChunk(ofAtMost: chunk) { piece in
            chunks.append(piece.withUnsafeBytes { String(decoding: $0, as: UTF8.self) })
        }
        return chunks
    }

    @Test func adoptedRowsGoFirstThenAppendedOnesInChunks() async throws {
        var rows = TotalsCopyRows()
        rows.adoptEncodedRows(Array("a1\tb\nc2\td\n".utf8), rows: 2)
        Array("e3\tf\n".utf8).withUnsafeBytes { rows.appendEncodedRows($0, rows: 1) }
        let chunks = try await sent(rows, chunk: 4)
        #expect(chunks.joined() == "a1\tb\nc2\td\ne3\tf\n")
        #expect(chunks.allSatisfy { $0.utf8.count <= 4 })
        #expect(rows.count == 3)
        #expect(rows.byteCount == 15)
    }

    @Test func adoptingIntoRowsAlreadyWrittenAppendsACopyInOrder() async throws {
        var rows = TotalsCopyRows()
        Array("x\t1\n".utf8).withUnsafeBytes { rows.appendEncodedRows($0, rows: 1) }
        rows.adoptEncodedRows(Array("y\t2\n".utf8), rows: 1)
        #expect(try await sent(rows, chunk: 1 << 20) == ["x\t1\ny\t2\n"])
        rows.removeAll()
        #expect(rows.isEmpty && rows.byteCount == 0)
    }
}
