import NIOCore
@testable import PostgresStore
import Testing

/// The flush's field-by-field COPY text escapes exactly the four bytes COPY's text format needs,
/// wherever they stand in a field; the expected text is written by hand.
@Suite struct CopyTextBufferTests {
    @Test func fieldsEscapeBackslashTabNewlineAndCarriageReturnOnly() {
        var buffer = CopyTextBuffer(capacity: 16)
        buffer.writeEscaped("\\start\tmiddle\n\rend\t")
        buffer.separator()
        buffer.writeEscaped("plain café ✓")
        buffer.separator()
        buffer.writeOptionalEscaped(nil as String?)
        buffer.separator()
        buffer.writeEscaped("\n")
        buffer.endRow()
        let expected = #"\\start\tmiddle\n\rend\t"# + "\t" + "plain café ✓" + "\t" + #"\N"# + "\t" + #"\n"# + "\n"
        #expect(String(buffer: buffer.bytes) == expected)
    }
}
