import MeteringCore
import Testing

struct RFC3339ParsingTests {
    struct Valid: Sendable, CustomTestStringConvertible {
        let text: String
        let seconds: Int64
        let nanoseconds: Int32
        var testDescription: String { text }
    }

    // Expected seconds were computed independently (Python's datetime).
    static let validForms: [Valid] = [
        Valid(text: "2026-11-05T10:00:00Z", seconds: 1_793_872_800, nanoseconds: 0),
        Valid(text: "2026-11-05t10:00:00z", seconds: 1_793_872_800, nanoseconds: 0),
        Valid(text: "2026-11-05T10:00:00+05:30", seconds: 1_793_853_000, nanoseconds: 0),
        Valid(text: "2026-11-05T10:00:00-00:00", seconds: 1_793_872_800, nanoseconds: 0),
        Valid(text: "2026-11-05T10:00:00+00:00", seconds: 1_793_872_800, nanoseconds: 0),
        Valid(text: "2026-11-05T04:30:00-05:30", seconds: 1_793_872_800, nanoseconds: 0),
        Valid(text: "2026-11-05T10:00:00+23:59", seconds: 1_793_872_800 - 86_340, nanoseconds: 0),
        Valid(text: "2026-11-05T10:00:00.1Z", seconds: 1_793_872_800, nanoseconds: 100_000_000),
        Valid(text: "2026-11-05T10:00:00.12Z", seconds: 1_793_872_800, nanoseconds: 120_000_000),
        Valid(text: "2026-11-05T10:00:00.123Z", seconds: 1_793_872_800, nanoseconds: 123_000_000),
        Valid(text: "2026-11-05T10:00:00.1234Z", seconds: 1_793_872_800, nanoseconds: 123_400_000),
        Valid(text: "2026-11-05T10:00:00.12345Z", seconds: 1_793_872_800, nanoseconds: 123_450_000),
        Valid(text: "2026-11-05T10:00:00.123456Z", seconds: 1_793_872_800, nanoseconds: 123_456_000),
        Valid(text: "2026-11-05T10:00:00.1234567Z", seconds: 1_793_872_800, nanoseconds: 123_456_700),
        Valid(text: "2026-11-05T10:00:00.12345678Z", seconds: 1_793_872_800, nanoseconds: 123_456_780),
        Valid(text: "2026-11-05T10:00:00.123456789Z", seconds: 1_793_872_800, nanoseconds: 123_456_789),
        Valid(text: "2026-11-05T10:00:00.000000001+05:30", seconds: 1_793_853_000, nanoseconds: 1),
        Valid(text: "2026-11-05T10:00:00.000000000Z", seconds: 1_793_872_800, nanoseconds: 0),
        Valid(text: "0000-01-01T00:00:00Z", seconds: -62_167_219_200, nanoseconds: 0),
        Valid(text: "0000-02-29T00:00:00Z", seconds: -62_162_121_600, nanoseconds: 0),      // 0000 is a leap year
        Valid(text: "0001-01-01T00:00:00Z", seconds: -62_135_596_800, nanoseconds: 0),
        Valid(text: "9999-12-31T23:59:59.999999999Z", seconds: 253_402_300_799, nanoseconds: 999_999_999),
        Valid(text: "2024-02-29T12:00:00Z", seconds: 1_709_208_000, nanoseconds: 0),
        Valid(text: "2000-02-29T00:00:00Z", seconds: 951_782_400, nanoseconds: 0),
        Valid(text: "1900-03-01T00:00:00Z", seconds: -2_203_891_200, nanoseconds: 0),
        Valid(text: "1970-01-01T00:00:00Z", seconds: 0, nanoseconds: 0),
        Valid(text: "1969-12-31T23:59:59.5Z", seconds: -1, nanoseconds: 500_000_000),
    ]

    @Test(arguments: validForms)
    func validFormParsesToTheExactInstant(_ form: Valid) {
        #expect(RFC3339.parse(form.text) == EventTime(seconds: form.seconds, nanoseconds: form.nanoseconds))
    }

    static let invalidForms: [String] = [
        "2026-12-31T23:59:60Z",             // leap second
        "2016-12-31T23:59:60.5Z",           // leap second with a fraction
        "2026-02-30T10:00:00Z",             // February 30
        "2026-02-29T10:00:00Z",             // February 29 of a common year
        "1900-02-29T10:00:00Z",             // 1900 is not a leap year
        "2026-04-31T10:00:00Z",             // April has 30 days
        "2026-13-05T10:00:00Z",             // 13th month
        "2026-00-05T10:00:00Z",             // month 0
        "2026-11-00T10:00:00Z",             // day 0
        "2026-11-05T24:00:00Z",             // hour 24
        "2026-11-05T10:60:00Z",             // minute 60
        "2026-11-05T10:00:00+24:00",        // offset hour 24
        "2026-11-05T10:00:00+05:60",        // offset minute 60
        "2026-11-05T10:00:00+0530",         // offset without colon
        "2026-11-05T10:00:00+05",           // offset without minutes
        "2026-11-05 10:00:00Z",             // space separator
        "2026-11-05_10:00:00Z",             // other separator
        "2026-11-05T10:00:00.1234567890Z",  // 10 fraction digits
        "2026-11-05T10:00:00.Z",            // empty fraction
        "2026-11-05T10:00:00,5Z",           // comma fraction
        "2026-11-05T10:00Z",                // missing seconds
        "2026-11-05T10:00:00",              // missing offset
        "2026-11-05",                       // date only
        "2026-11-05T",                      // nothing after T
        "2026-11-05T10:00:00Zjunk",         // trailing garbage
        "2026-11-05T10:00:00Z ",            // trailing space
        " 2026-11-05T10:00:00Z",            // leading space
        "2026-11-05T10:00:00+05:30x",       // trailing byte after offset
        "2026-11-05x10:00:00z",             // lowercase junk separator
        "2026-11-05T10:00:00x",             // lowercase junk offset
        "2026-11-05T10:00:00zz",            // doubled zone letter
        "2026-11-05T10:00:00UTC",           // zone name
        "26-11-05T10:00:00Z",               // two-digit year
        "+2026-11-05T10:00:00Z",            // signed year
        "2026-1-05T10:00:00Z",              // one-digit month
        "2026-11-05T1:00:00Z",              // one-digit hour
        "２026-11-05T10:00:00Z",             // non-ASCII digit
        "",
    ]

    @Test(arguments: invalidForms)
    func invalidFormIsBadTime(_ text: String) {
        #expect(RFC3339.parse(text) == nil)
    }

    @Test
    func sameInstantWrittenWithDifferentOffsetsComparesEqual() throws {
        let forms = ["2026-11-05T10:00:00.5Z", "2026-11-05T15:30:00.5+05:30", "2026-11-05T00:15:00.5-09:45",
                     "2026-11-06T09:59:00.5+23:59", "2026-11-04T10:01:00.5-23:59", "2026-11-05T10:00:00.500000000-00:00"]
        let times = try forms.map { try #require(RFC3339.parse($0)) }
        #expect(Set(times).count == 1)
        #expect(times.allSatisfy { $0 == EventTime(seconds: 1_793_872_800, nanoseconds: 500_000_000) })
    }

    @Test
    func instantsOrderAcrossOffsets() throws {
        let earlier = try #require(RFC3339.parse("2026-11-05T10:00:00.999999999+01:00"))  // 09:00:00.999999999Z
        let later = try #require(RFC3339.parse("2026-11-05T09:30:00Z"))
        #expect(earlier < later)
        #expect(!(later < earlier))
    }

    @Test
    func parsingReadsOnlyTheGivenBytes() {
        let bytes = Array("2026-11-05T10:00:00Z2026".utf8)
        bytes.withUnsafeBytes { buffer in
            #expect(RFC3339.parse(UnsafeRawBufferPointer(rebasing: buffer[0..<20])) == EventTime(seconds: 1_793_872_800))
            #expect(RFC3339.parse(UnsafeRawBufferPointer(rebasing: buffer[0..<19])) == nil)
            #expect(RFC3339.parse(UnsafeRawBufferPointer(rebasing: buffer[0..<21])) == nil)
            #expect(RFC3339.parse(UnsafeRawBufferPointer(rebasing: buffer[0..<0])) == nil)
        }
    }
}
