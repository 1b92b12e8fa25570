import MeteringCore
import MeteringWorkload

/// The seeded generator of the rating property tests, so every run sees the same cases.
typealias RatingTestRandom = SplitMix64

extension SplitMix64 {

    /// A decimal with up to `integerDigits` integer and `fractionDigits` fractional digits
    /// (both chosen at random up to those bounds), positive unless `allowNegative`.
    mutating func decimal(integerDigits: Int, fractionDigits: Int = 12, allowNegative: Bool = false) -> ExactDecimal {
        let fraction = Int.random(in: 0...fractionDigits, using: &self)
        let integer = Int.random(in: 0...integerDigits, using: &self)
        var bound: UInt128 = 1
        for _ in 0..<(integer + fraction) { bound *= 10 }
        let wide = UInt128(next()) << 64 | UInt128(next())
        var raw = Int128(wide % bound)
        for _ in 0..<(12 - fraction) { raw *= 10 }
        if allowNegative, Bool.random(using: &self) { raw = -raw }
        return ExactDecimal(raw: raw)
    }
}
