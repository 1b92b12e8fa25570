import Testing
@testable import MeteringCore

@Suite struct ExactDecimalTests {
    @Test func parsesAndPrintsWithoutLoss() {
        let cases: [(String, String)] = [
            ("0", "0"), ("-0", "0"), ("1", "1"), ("1.50", "1.5"), ("0.000000000001", "0.000000000001"),
            ("999999999999999999.999999999999", "999999999999999999.999999999999"),
            ("-999999999999999999.999999999999", "-999999999999999999.999999999999"),
            ("1.5e3", "1500"), ("15e-1", "1.5"), ("1E+2", "100"), ("0.0001e4", "1"),
            ("100000000000000000e-29", "0.000000000001"), ("0.00e-99999999999999", "0"),
            ("123456789012345678", "123456789012345678"), ("1.000000000000000000000", "1"),
        ]
        for (text, expected) in cases {
            #expect(ExactDecimal(text)?.description == expected, "\(text)")
        }
    }

    @Test func rejectsWhatIsNotAJSONNumber() {
        for text in ["", "-", "+1", "01", "1.", ".5", "1e", "1e+", " 1", "1 ", "0x10", "1,5", "NaN", "Infinity", "--1", "1.5.5"] {
            #expect(ExactDecimal.parse(text) == .failure(.notANumber), "\(text)")
        }
    }

    @Test func rejectsValuesBeyondEighteenIntegerOrTwelveFractionalDigits() {
        for text in ["1000000000000000000", "1e18", "0.0000000000001", "1e-13", "1.0000000000001",
                     "-1000000000000000000", "1e999999999999"] {
            #expect(ExactDecimal.parse(text) == .failure(.outOfRange), "\(text)")
        }
    }

    @Test func addsAndReportsOverflowInsteadOfWrapping() throws {
        let a = try #require(ExactDecimal("0.1"))
        let b = try #require(ExactDecimal("0.2"))
        #expect(try a.adding(b) == ExactDecimal("0.3"))
        #expect(try a.subtracting(b) == ExactDecimal("-0.1"))
        #expect(throws: ArithmeticOverflow.self) { try ExactDecimal(raw: .max).adding(ExactDecimal(raw: 1)) }
        #expect(!ExactDecimal(raw: ExactDecimal.contractLimitRaw).isInContractRange)
    }

    @Test func roundsHalfEven() throws {
        let cases: [(String, Int, String)] = [
            ("0.125", 2, "0.12"), ("0.135", 2, "0.14"), ("0.1250000001", 2, "0.13"), ("-0.125", 2, "-0.12"),
            ("-0.135", 2, "-0.14"), ("2.5", 0, "2"), ("3.5", 0, "4"), ("0.0005", 3, "0"), ("0.0015", 3, "0.002"),
        ]
        for (text, digits, expected) in cases {
            let value = try #require(ExactDecimal(text))
            #expect(value.roundedHalfEven(fractionDigits: digits).description == expected, "\(text) to \(digits)")
        }
        #expect(try #require(ExactDecimal("12.3")).formatted(fractionDigits: 2) == "12.30")
        #expect(ExactDecimal(1500).formatted(fractionDigits: 0) == "1500")
    }

    @Test func averagesRoundHalfEvenToTwelveDigits() {
        #expect(ExactDecimal(2).dividedRoundingHalfEven(by: 3).description == "0.666666666667")
        #expect(ExactDecimal(1).dividedRoundingHalfEven(by: 3).description == "0.333333333333")
        #expect(ExactDecimal(raw: 5).dividedRoundingHalfEven(by: 2) == ExactDecimal(raw: 2))
        #expect(ExactDecimal(raw: 7).dividedRoundingHalfEven(by: 2) == ExactDecimal(raw: 4))
        #expect(ExactDecimal(raw: -7).dividedRoundingHalfEven(by: 2) == ExactDecimal(raw: -4))
    }

    @Test func randomValuesRoundTripThroughText() {
        var generator = SeededGenerator(seed: 7)
        for _ in 0..<10_000 {
            let raw = Int128(Int64.random(in: .min ... .max, using: &generator)) * Int128(Int32.random(in: 0...Int32.max, using: &generator))
            let value = ExactDecimal(raw: raw % ExactDecimal.contractLimitRaw)
            #expect(ExactDecimal(value.description) == value)
        }
    }
}
