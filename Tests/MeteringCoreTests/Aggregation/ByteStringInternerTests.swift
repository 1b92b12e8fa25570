import Testing
@testable import MeteringCore

/// The interner is what turns subjects and dimension values into the integers of every key: two
/// different strings must never share an id, and the same string must always get its own back.
@Suite struct ByteStringInternerTests {
    /// Strings that stress the record's inline first 16 bytes: empty, short, exactly 16, and long
    /// ones that share their first 16 bytes or differ only in length or in the last byte.
    static let tricky: [String] = [
        "", "a", "acct-00042", "acct-000042", "0123456789abcdef", "0123456789abcde", "0123456789abcdef0",
        "0123456789abcdef1", "0123456789abcdef01", "0123456789abcdef\u{0}", "550e8400-e29b-41d4-a716-446655440000",
        "550e8400-e29b-41d4-a716-446655440001", "550e8400-e29b-41d4-a716-44665544000", "é", "e\u{301}",
    ]

    @Test func equalStringsShareAnIdAndDifferentOnesNever() {
        var interner = ByteStringInterner(capacity: 4)   // small, so interning grows it many times
        var generator = SeededGenerator(seed: 7)
        var strings = Self.tricky
        for _ in 0..<5_000 {
            let length = Int.random(in: 0...40, using: &generator)
            // A tiny alphabet, so many strings share long prefixes.
            strings.append(String((0..<length).map { _ in "ab".randomElement(using: &generator)! }))
        }
        // Keyed by bytes: Swift's String equality would make "é" and "e\u{301}" one key, the interner must not.
        var expected: [[UInt8]: UInt32] = [:]
        for string in strings + strings.reversed() {
            let id = intern(string, into: &interner)
            if let known = expected[Array(string.utf8)] {
                #expect(id == known, "\(string) changed id")
            } else {
                #expect(Int(id) == expected.count + 1, "ids are dense, in order of first sight")
                expected[Array(string.utf8)] = id
            }
        }
        #expect(interner.count == expected.count)
        for (bytes, id) in expected { #expect(interner.withBytes(of: id) { Array($0) } == bytes) }
    }

    @Test func aPayloadStaysWithItsStringThroughGrowth() {
        var interner = ByteStringInterner(capacity: 2)
        let first = lookUp("acct-1", in: &interner)
        #expect(first.payload == ByteStringInterner.unsetPayload)
        interner.setPayload(3, of: first.id)
        for index in 0..<1_000 { _ = intern("acct-\(index + 2)", into: &interner) }
        #expect(intern("acct-1", into: &interner) == first.id)
        #expect(lookUp("acct-1", in: &interner).payload == 3)
        #expect(lookUp("acct-2", in: &interner).payload == ByteStringInterner.unsetPayload)
    }

    private func intern(_ string: String, into interner: inout ByteStringInterner) -> UInt32 {
        lookUp(string, in: &interner).id
    }

    private func lookUp(_ string: String, in interner: inout ByteStringInterner) -> (id: UInt32, payload: Int32) {
        var bytes = Array(string.utf8)
        return bytes.withUnsafeMutableBytes { interner.lookUp(UnsafeRawBufferPointer($0)) }
    }
}
