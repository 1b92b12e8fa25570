import Testing
@testable import BillingWriters

@Suite struct MinorUnitAmountTests {
    @Test(arguments: [("12.30", 2, Int128(1230)), ("-0.05", 2, -5), ("1500", 0, 1500), ("0.004", 3, 4),
                      ("123456789012345678.123", 3, 123_456_789_012_345_678_123)])
    func ratedTextParsesToMinorUnits(text: String, digits: Int, units: Int128) {
        #expect(MinorUnitAmount(rated: text, minorDigits: digits)?.units == units)
        #expect(MinorUnitAmount(rated: text, minorDigits: digits)?.text == text)
    }

    @Test(arguments: ["1.5", "1.500", "12", "1e2", "01.00", ".50", "1,00", "", "-"])
    func ratedTextMustHaveExactlyTheMinorDigits(text: String) {
        #expect(MinorUnitAmount(rated: text, minorDigits: 2) == nil)
    }

    @Test(arguments: [("1234.57", Int128(123_457)), ("2.5", 250), ("1e+16", 1_000_000_000_000_000_000),
                      ("2.5e-01", 25), ("0.0", 0), ("-3", -300)])
    func remoteFloatTextParsesExactly(text: String, units: Int128) {
        #expect(MinorUnitAmount(remote: text, minorDigits: 2)?.units == units)
    }

    @Test func remoteTextFinerThanTheMinorUnitIsNotAnAmount() {
        #expect(MinorUnitAmount(remote: "3.239", minorDigits: 2) == nil)
        #expect(MinorUnitAmount(remote: "2.5e-02", minorDigits: 2) == nil)
        #expect(MinorUnitAmount(remote: "3.2400", minorDigits: 2)?.text == "3.24")
    }

    @Test func sumOverflowIsReportedNotWrapped() {
        let huge = MinorUnitAmount(units: .max, minorDigits: 2)
        #expect(MinorUnitAmount.sum([huge, MinorUnitAmount(units: 1, minorDigits: 2)], minorDigits: 2) == nil)
    }
}

@Suite struct JSONTextTests {
    @Test func moneyIsWrittenAsTheExactLiteral() {
        let value: JSONValue = .object(["price_unit": .number("0.000002"), "big": .number("123456789012345678.123"),
                                        "name": .string("a \"q\"\n\u{1}é")])
        #expect(JSONText.string(of: value)
            == #"{"big":123456789012345678.123,"name":"a \"q\"\n\u0001é","price_unit":0.000002}"#)
    }

    @Test func parsedNumbersKeepTheirDecimalValue() throws {
        let parsed = try #require(JSONValue.parse(Array(#"{"t":1253.41,"n":[1e-3,false,null]}"#.utf8)))
        #expect(parsed["t"] == .number("1253.41"))
        #expect(parsed["n"] == .array([.number("0.001"), .bool(false), .null]))
    }

    @Test(arguments: ["0", "-1.50", "1e5", "2.5E-3"])
    func validNumberSyntaxIsAccepted(text: String) { #expect(JSONNumberSyntax.isValid(text)) }

    @Test(arguments: ["+1", "01", "1.", ".5", "1e", "NaN", " 1"])
    func invalidNumberSyntaxIsRejected(text: String) { #expect(!JSONNumberSyntax.isValid(text)) }
}

@Suite struct SHA256DigestTests {
    @Test func matchesTheStandardTestVectors() {
        #expect(SHA256Digest.hex(of: "abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256Digest.hex(of: "") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256Digest.hex(of: "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test func externalIDNamesAreStableAndDistinct() {
        let name = OdooExternalIDs.name(forKey: "usage:acct-42:2026-11")
        #expect(name == OdooExternalIDs.name(forKey: "usage:acct-42:2026-11"))
        #expect(name != OdooExternalIDs.name(forKey: "usage:acct-42:2026-12"))
        #expect(name.count == 36)
        #expect(name.hasPrefix("inv_"))
    }
}
