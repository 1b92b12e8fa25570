import MeteringCore

/// SplitMix64: a tiny seeded generator, so every property-test run sees the same cases.
struct RatingTestRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

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
