import MeteringWorkload
import Testing
@testable import MeteringCore

@Suite struct CopyTextWriterTests {
    @Test func decimalsIntegersAndPeriodsAreWrittenAsTheirTextWithoutStrings() {
        var random = SplitMix64(seed: 5)
        var writer = CopyTextWriter()
        var expected: [String] = []
        var values: [Int128] = [0, 1, -1, 1_000_000_000_000, -1_500_000_000_000, 999_999_999_999,
                                Int128(Int64.max) * 1_000_000_000_000 + 7, -(Int128(1) << 120)]
        for _ in 0..<5_000 {
            let wide = Int128(truncatingIfNeeded: UInt128(random.next()) << 64 | UInt128(random.next()))
            values.append(wide >> Int(random.next() % 127))
        }
        for raw in values {
            writer.decimal(ExactDecimal(raw: raw))
            expected.append(ExactDecimal(raw: raw).description)
        }
        for value in [Int64.min + 1, -42, 0, 7, Int64.max] {
            writer.integer(value)
            expected.append(String(value))
        }
        writer.period(BillingPeriod("0007-03")!)
        expected.append("0007-03")
        writer.period(BillingPeriod("2026-11")!)
        expected.append("2026-11")
        writer.endRow()
        #expect(String(decoding: writer.bytes, as: UTF8.self) == expected.joined(separator: "\t") + "\n")
    }

    /// The four bytes COPY's text format escapes, at the start, the end, side by side and between
    /// runs of other bytes (multi-byte UTF-8 among them); the expected text is written by hand.
    @Test func textColumnsEscapeBackslashTabNewlineAndCarriageReturnOnly() {
        var writer = CopyTextWriter()
        writer.text("\\start\tmiddle\n\rend\t")
        writer.text("plain café ✓")
        writer.text("")
        writer.text("\n")
        writer.endRow()
        let expected = #"\\start\tmiddle\n\rend\t"# + "\t" + "plain café ✓" + "\t" + "\t" + #"\n"# + "\n"
        #expect(String(decoding: writer.bytes, as: UTF8.self) == expected)
    }

    /// Rows longer than the writer's 256-byte row buffer, and pieces that straddle its end: texts
    /// of every length around the buffer's size and half of it, with escapes, between numbers and
    /// NULLs. The expected bytes are escaped one by one here, not by the writer's code.
    @Test func rowsAndPiecesOfAnyLengthComeOutWhole() {
        var writer = CopyTextWriter()
        var expected: [UInt8] = []
        var random = SplitMix64(seed: 9)
        let alphabet = Array("abcdé✓\\\t\n\r0123456789".utf8)   // é and ✓ split anywhere: bytes pass through
        for length in [0, 1, 2, 100, 126, 127, 128, 129, 130, 200, 250, 254, 255, 256, 257, 258, 300, 511, 512, 513, 1_000] {
            let value = (0..<length).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] }
            var escaped: [UInt8] = []
            for byte in value {
                switch byte {
                case UInt8(ascii: "\\"): escaped += Array(#"\\"#.utf8)
                case UInt8(ascii: "\t"): escaped += Array(#"\t"#.utf8)
                case UInt8(ascii: "\n"): escaped += Array(#"\n"#.utf8)
                case UInt8(ascii: "\r"): escaped += Array(#"\r"#.utf8)
                default: escaped.append(byte)
                }
            }
            let number = Int64(bitPattern: random.next())
            writer.integer(number)
            value.withUnsafeBytes { writer.text($0) }
            writer.null()
            value.withUnsafeBytes { writer.text($0) }
            writer.endRow()
            expected += Array("\(number)\t".utf8) + escaped
            expected += Array("\t\\N\t".utf8) + escaped + [0x0A]
        }
        #expect(writer.rows == 21)
        #expect(writer.bytes == expected)
    }
}
