import MeteringCore
import Testing

struct RFC3339FormattingTests {
    @Test(arguments: [
        (EventTime(seconds: 1_793_872_800, nanoseconds: 123_000_000), "2026-11-05T10:00:00.123Z"),
        (EventTime(seconds: 1_793_872_800), "2026-11-05T10:00:00Z"),
        (EventTime(seconds: 1_793_872_800, nanoseconds: 1), "2026-11-05T10:00:00.000000001Z"),
        (EventTime(seconds: 1_793_872_800, nanoseconds: 120_000_000), "2026-11-05T10:00:00.12Z"),
        (EventTime(seconds: -1, nanoseconds: 500_000_000), "1969-12-31T23:59:59.5Z"),
        (EventTime(seconds: -62_135_596_800), "0001-01-01T00:00:00Z"),
        (EventTime(seconds: 253_402_300_799, nanoseconds: 999_999_999), "9999-12-31T23:59:59.999999999Z"),
    ])
    func formatsInUTCWithTheShortestFraction(_ time: EventTime, _ text: String) {
        #expect(RFC3339.format(time) == text)
        #expect(time.description == text)
    }

    @Test
    func formatsLocalTimeAtAnOffset() {
        let time = EventTime(seconds: 1_793_872_800, nanoseconds: 5_000)
        #expect(RFC3339.format(time, utcOffsetMinutes: 330) == "2026-11-05T15:30:00.000005+05:30")
        #expect(RFC3339.format(time, utcOffsetMinutes: -1439) == "2026-11-04T10:01:00.000005-23:59")
        #expect(RFC3339.format(time, utcOffsetMinutes: 0) == "2026-11-05T10:00:00.000005Z")
    }

    @Test
    func yearsBeyondRFC3339PrintExpandedAndDoNotParse() {
        let afterYear9999 = EventTime(seconds: 253_402_300_800)
        let beforeYear0 = EventTime(seconds: -62_167_219_201)
        #expect(RFC3339.format(afterYear9999) == "+10000-01-01T00:00:00Z")
        #expect(RFC3339.format(beforeYear0) == "-0001-12-31T23:59:59Z")
        #expect(RFC3339.parse(RFC3339.format(afterYear9999)) == nil)
        #expect(RFC3339.parse(RFC3339.format(beforeYear0)) == nil)
    }

    /// Property: any instant of years 0001 ... 9998, written at any offset with any number of
    /// fraction digits that keeps it exact, parses back to the same instant.
    @Test
    func randomInstantsRoundTripThroughAnyOffset() throws {
        var random = TimeTestRandom(seed: 0x0D0_3E7E5)
        let firstSecond: Int64 = -62_135_596_800 + 86_400   // 0001-01-02, so every offset keeps year ≥ 0001
        let lastSecond: Int64 = 253_370_764_800 - 86_400    // 9998-12-31
        for _ in 0..<20_000 {
            let truncation: Int32 = [1, 10, 1_000, 1_000_000, 1_000_000_000][Int.random(in: 0..<5, using: &random)]
            let nanoseconds = Int32.random(in: 0..<1_000_000_000, using: &random) / truncation * truncation
            let time = EventTime(seconds: Int64.random(in: firstSecond...lastSecond, using: &random),
                                 nanoseconds: nanoseconds)
            let offset = Int.random(in: -1439...1439, using: &random)
            let text = RFC3339.format(time, utcOffsetMinutes: offset)
            let parsed = try #require(RFC3339.parse(text), "\(text) did not parse")
            #expect(parsed == time, "\(text)")
            #expect(RFC3339.parse(RFC3339.format(time)) == time)
        }
    }

    /// The zero offset written as `-00:00`, `+00:00`, `z` and with `t` means the same instant.
    @Test
    func zeroOffsetSpellingsAreTheSameInstant() throws {
        var random = TimeTestRandom(seed: 42)
        for _ in 0..<1_000 {
            let time = EventTime(seconds: Int64.random(in: 0...4_102_444_800, using: &random))
            let text = RFC3339.format(time)
            #expect(text.hasSuffix("Z"))
            let stem = String(text.dropLast())
            for spelling in [stem + "-00:00", stem + "+00:00", stem + "z", text.replacingOccurrences("T", with: "t")] {
                #expect(RFC3339.parse(spelling) == time, "\(spelling)")
            }
        }
    }
}

extension String {
    fileprivate func replacingOccurrences(_ target: Character, with replacement: Character) -> String {
        String(map { $0 == target ? replacement : $0 })
    }
}
