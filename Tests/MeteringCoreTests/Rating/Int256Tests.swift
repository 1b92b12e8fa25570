import Testing
@testable import MeteringCore
import RatingOracle

struct Int256Tests {
    private static let twoTo254 = "28948022309329048855892746252171976963317496166410141009864396001978282409984"
    private static let twoTo255 = "57896044618658097711785492504343953926634992332820282019728792003956564819968"
    private static let min = Int256(high: .min, low: 0)
    private static let max = Int256(high: .max, low: .max)

    @Test func productOfTheLargestInt128sIsExact() {
        #expect(Int256.product(.max, .max).decimalText(scale: 0)
                == "28948022309329048855892746252171976962977213799489202546401021394546514198529")
        #expect(Int256.product(.min, .min).decimalText(scale: 0) == Self.twoTo254)
        #expect(Int256.product(.min, .max).decimalText(scale: 0)
                == "-28948022309329048855892746252171976963147354982949671778132708698262398304256")
        #expect(Int256.product(-3, 7) == Int256(-21))
        #expect(Int256.product(0, .min) == .zero)
    }

    @Test func productMatchesNaiveDigitMultiplication() {
        var random = RatingTestRandom(seed: 7)
        for _ in 0..<300 {
            let a = Int128(truncatingIfNeeded: UInt128(random.next()) << 64 | UInt128(random.next())) >> Int.random(in: 0...120, using: &random)
            let b = Int128(truncatingIfNeeded: UInt128(random.next()) << 64 | UInt128(random.next())) >> Int.random(in: 0...120, using: &random)
            let naive = NaiveDecimal(ExactDecimal(raw: a)) * NaiveDecimal(ExactDecimal(raw: b))
            #expect(ExactAmount(scaled: .product(a, b)).text == naive.text, "\(a) × \(b)")
        }
    }

    @Test func additionReportsOverflowInsteadOfWrapping() {
        #expect(Self.max.addingReportingOverflow(Int256(1)).overflow)
        #expect(Self.min.addingReportingOverflow(Int256(-1)).overflow)
        #expect(Self.min.addingReportingOverflow(Self.min).overflow)
        let minusOne = Self.max.addingReportingOverflow(Self.min)
        #expect(!minusOne.overflow && minusOne.partialValue == Int256(-1))
        // The carry out of the low half propagates into the high half.
        let carried = Int256(high: 0, low: .max).addingReportingOverflow(Int256(1))
        #expect(!carried.overflow && carried.partialValue == Int256(high: 1, low: 0))
        let zero = Int256(-1).addingReportingOverflow(Int256(1))
        #expect(!zero.overflow && zero.partialValue == .zero)
        #expect(throws: ArithmeticOverflow.self) { try Self.max.adding(Int256(1)) }
    }

    @Test func subtractionReportsOverflowInsteadOfWrapping() {
        #expect(Self.min.subtractingReportingOverflow(Int256(1)).overflow)
        #expect(Int256.zero.subtractingReportingOverflow(Self.min).overflow)
        #expect(Self.max.subtractingReportingOverflow(Int256(-1)).overflow)
        let min = Int256(-1).subtractingReportingOverflow(Self.max)
        #expect(!min.overflow && min.partialValue == Self.min)
        let borrowed = Int256(high: 1, low: 0).subtractingReportingOverflow(Int256(1))
        #expect(!borrowed.overflow && borrowed.partialValue == Int256(high: 0, low: .max))
        #expect(throws: ArithmeticOverflow.self) { try Self.min.subtracting(Int256(1)) }
    }

    @Test func comparisonOrdersBySignThenMagnitude() {
        #expect(Int256(-1) < .zero)
        #expect(Self.min < Int256(-1))
        #expect(Int256(high: 0, low: .max) < Int256(high: 1, low: 0))
        #expect(Int256(high: -1, low: 0) < Int256(high: -1, low: 1))
        #expect(Int256(Int128.max) < Self.max)
    }

    @Test func multiplicationByInt128ReportsOverflow() throws {
        let twoTo254 = Int256.product(.min, .min)
        #expect(throws: ArithmeticOverflow.self) { try twoTo254.multiplied(by: 2) }
        #expect(try twoTo254.multiplied(by: -2) == Self.min)
        #expect(throws: ArithmeticOverflow.self) { try Self.min.multiplied(by: -1) }
        #expect(try Int256(high: 1, low: 0).multiplied(by: .max) == Int256(high: .max, low: 0))   // 2²⁵⁵ − 2¹²⁸
        #expect(throws: ArithmeticOverflow.self) { try Int256(high: 2, low: 0).multiplied(by: .max) }
        #expect(try Int256(-123).multiplied(by: 1_000_000_000_000) == Int256(-123_000_000_000_000))
        #expect(try Int256.product(.max, 3).multiplied(by: -5) == Int256.product(.max, -15))
    }

    @Test func magnitudeRoundTripsAtTheEdgesOfTheRange() {
        #expect(Self.min.magnitude.decimalDigits == Self.twoTo255)
        #expect(Int256(magnitude: Self.min.magnitude, negative: true) == Self.min)
        #expect(Int256(magnitude: Self.min.magnitude, negative: false) == nil)
        #expect(Int256(magnitude: Self.max.magnitude, negative: true)?.decimalText(scale: 0) == "-" + Self.twoTo255.dropLast() + "7")
    }

    @Test(arguments: [
        (Int128(15), 1, Int128(2)), (25, 1, 2), (26, 1, 3), (24, 1, 2), (35, 1, 4),
        (-15, 1, -2), (-25, 1, -2), (-26, 1, -3), (-35, 1, -4), (5, 1, 0), (-5, 1, 0),
        (50, 2, 0), (150, 2, 2), (151, 2, 2), (249, 2, 2), (250, 2, 2), (251, 2, 3), (7, 0, 7),
        (1_500_000_000_000_000_000_000_000, 24, 2), (2_500_000_000_000_000_000_000_000, 24, 2),
        (2_500_000_000_000_000_000_000_001, 24, 3), (-2_500_000_000_000_000_000_000_001, 24, -3),
    ])
    func divisionByAPowerOfTenRoundsHalfEven(value: Int128, exponent: Int, expected: Int128) {
        #expect(Int256(value).dividedRoundingHalfEven(byPowerOfTen: exponent) == Int256(expected))
    }

    @Test func divisionOfAWideValueKeepsItsHighHalf() {
        // (2¹²⁸ · 10³⁸ + 5 · 10³⁷) / 10³⁸ = 2¹²⁸ + 0.5 → 2¹²⁸ (even).
        let tenTo38 = Int128(Int256.powerOfTen(38))
        let wide = Int256.product(tenTo38, Int128(1) << 64).multipliedOrNil(by: Int128(1) << 64)!
        let value = wide.addingReportingOverflow(Int256(tenTo38 / 2)).partialValue
        #expect(value.dividedRoundingHalfEven(byPowerOfTen: 38) == Int256(high: 1, low: 0))
        #expect(Self.min.dividedRoundingHalfEven(byPowerOfTen: 0) == Self.min)
    }

    @Test func decimalTextPlacesThePoint() {
        #expect(Int256(-1_234_500_000).decimalText(scale: 6) == "-1234.500000")
        #expect(Int256(5).decimalText(scale: 3) == "0.005")
        #expect(Int256(-5).decimalText(scale: 1) == "-0.5")
        #expect(Int256.zero.decimalText(scale: 0) == "0")
        #expect(Self.min.decimalText(scale: 0) == "-" + Self.twoTo255)
    }
}

extension Int256 {
    fileprivate func multipliedOrNil(by factor: Int128) -> Int256? { try? multiplied(by: factor) }
}
