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

