extension UInt256 {
    /// Long division by a non-zero 128-bit divisor: two steps of 256-by-128-bit division.
    func quotientAndRemainder(dividingBy divisor: UInt128) -> (quotient: UInt256, remainder: UInt128) {
        precondition(divisor != 0, "division by zero")
        let (highQuotient, highRemainder) = high.quotientAndRemainder(dividingBy: divisor)
        // highRemainder < divisor, so the 256-by-128 step cannot overflow.
        let (lowQuotient, remainder) = divisor.dividingFullWidth((high: highRemainder, low: low))
        return (UInt256(high: highQuotient, low: lowQuotient), remainder)
    }

    /// `self + 1`, wrapping at 2²⁵⁶ (callers only increment values far below it).
    var incremented: UInt256 {
        let (low, carry) = low.addingReportingOverflow(1)
        return UInt256(high: high &+ (carry ? 1 : 0), low: low)
    }
}

extension Int256 {
    /// `10^exponent` for `exponent` in 0...38, the powers of ten a `UInt128` holds.
    static func powerOfTen(_ exponent: Int) -> UInt128 {
        precondition((0...38).contains(exponent), "power of ten out of range")
        var power: UInt128 = 1
        for _ in 0..<exponent { power *= 10 }
        return power
    }

    /// `self / 10^exponent` (exponent 0...38), rounded half-even: exact ties go to the even
    /// neighbour, symmetrically for negative values. Never overflows.
    func dividedRoundingHalfEven(byPowerOfTen exponent: Int) -> Int256 {
        let divisor = Self.powerOfTen(exponent)
        var (quotient, remainder) = magnitude.quotientAndRemainder(dividingBy: divisor)
        // remainder < 10³⁸ < 2¹²⁷, so doubling it cannot overflow.
        let twice = remainder * 2
        if twice > divisor || (twice == divisor && quotient.low & 1 == 1) {
            quotient = quotient.incremented
        }
        // For exponent ≥ 1, |quotient| ≤ |self| / 10 + 1 fits; for exponent 0 it is |self|.
        guard let result = Int256(magnitude: quotient, negative: isNegative) else {
            preconditionFailure("a rounded quotient is never larger than its dividend")
        }
        return result
    }

    /// The value read as a decimal with `scale` fractional digits (0...38), in full:
    /// `"-1234.500000"` for −1234500000 at scale 6. Used in error messages.
    func decimalText(scale: Int) -> String {
        var digits = magnitude.decimalDigits
        if digits.count <= scale {
            digits = String(repeating: "0", count: scale - digits.count + 1) + digits
        }
        let point = digits.index(digits.endIndex, offsetBy: -scale)
        let fraction = digits[point...]
        let text = scale == 0 ? String(digits[..<point]) : digits[..<point] + "." + fraction
        return isNegative ? "-" + text : text
    }
}

extension UInt256 {
    /// Base-ten digits, most significant first, without leading zeros ("0" for zero).
    var decimalDigits: String {
        let chunkDivisor: UInt128 = 10_000_000_000_000_000_000   // 10¹⁹
        var chunks: [UInt128] = []
        var rest = self
        repeat {
            let (quotient, remainder) = rest.quotientAndRemainder(dividingBy: chunkDivisor)
            chunks.append(remainder)
            rest = quotient
        } while !rest.isZero
        var text = String(chunks.removeLast())
        for chunk in chunks.reversed() {
            let part = String(chunk)
            text += String(repeating: "0", count: 19 - part.count) + part
        }
        return text
    }
}
