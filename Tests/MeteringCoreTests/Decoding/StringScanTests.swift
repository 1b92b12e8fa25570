import Testing
@testable import MeteringCore

/// The scanner reads plain string bytes sixteen at a time while sixteen remain in the message,
/// then one at a time. A byte that needs a closer look (an escape, a multi-byte scalar, a
/// control character, invalid UTF-8) must be found wherever it falls in a chunk or in the tail:
/// each is placed at every position of subjects of 0 to 40 bytes, once in the middle of the
/// event and once as its last attribute (where fewer than sixteen bytes follow). The expected
/// subject is the test's own: the plain bytes around the decoded character.
@Suite struct StringScanTests {
    /// A special string's bytes as written in the JSON, and the text it stands for (nil: the event is invalid).
    static let specials: [(written: [UInt8], text: [UInt8]?)] = [
        (Array(#"\""#.utf8), Array("\"".utf8)),
        (Array(#"\\"#.utf8), Array("\\".utf8)),
        (Array(#"\u00e9"#.utf8), Array("é".utf8)),
        (Array("é".utf8), Array("é".utf8)),
        (Array("😀".utf8), Array("😀".utf8)),
        ([0x01], nil),          // a control character must be escaped
        ([0xFF], nil),          // not UTF-8
        ([0xC3], nil),          // a scalar cut short
        (Array(#"\x"#.utf8), nil),   // no such escape
    ]

    @Test(arguments: [false, true])
    func everySpecialByteIsFoundAtEveryPosition(subjectLast: Bool) {
        let decoder = EventDecoder(catalog: DecoderFixture.catalog)
        for special in Self.specials {
            for length in 0...40 {
                for position in 0...length {
                    let before = [UInt8](repeating: UInt8(ascii: "a"), count: position)
                    let after = [UInt8](repeating: UInt8(ascii: "b"), count: length - position)
                    let subject = [UInt8(ascii: "\"")] + before + special.written + after + [UInt8(ascii: "\"")]
                    let bytes = Self.event(subject: subject, last: subjectLast)
                    let reason = bytes.withUnsafeBytes { decoder.decode($0) }
                    let place = "special \(special.written) at \(position) of \(length), subject last: \(subjectLast)"
                    if let text = special.text {
                        #expect(reason == nil, "\(place): \(String(describing: reason))")
                        if reason == nil { #expect(Array(decoder.text(decoder.subject)) == before + text + after, "\(place)") }
                    } else {
                        #expect(reason == .invalidJSON, "\(place)")
                    }
                }
            }
        }
    }

    static func event(subject: [UInt8], last: Bool) -> [UInt8] {
        let head = Array(#"{"specversion":"1.0","id":"evt-1","source":"api-gateway","type":"api_request","#.utf8)
        let time = Array(#""time":"2026-11-05T10:00:00.123Z","#.utf8)
        let data = Array(#""data":{"tokens":1234,"model":"gpt-x"}"#.utf8)
        let named = Array(#""subject":"#.utf8) + subject
        return last
            ? head + time + data + [UInt8(ascii: ",")] + named + [UInt8(ascii: "}")]
            : head + named + [UInt8(ascii: ",")] + time + data + [UInt8(ascii: "}")]
    }
}
