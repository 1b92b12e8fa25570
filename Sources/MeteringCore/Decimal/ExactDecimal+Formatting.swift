extension ExactDecimal: CustomStringConvertible, LosslessStringConvertible {
    /// Parses decimal text exactly; nil for anything `parse(_:)` rejects.
    public init?(_ description: String) {
        guard case .success(let value) = Self.parse(description) else { return nil }
        self = value
    }

    /// The shortest exact text: no exponent, no trailing fractional zeros (`"1.5"`, `"1500"`, `"0"`).
    public var description: String {
        let magnitude = raw.magnitude
        let unit: UInt128 = 1_000_000_000_000
        let integerPart = magnitude / unit
        var fraction = magnitude % unit
        var text = raw < 0 ? "-" : ""
        text += String(integerPart)
        if fraction != 0 {
            var digits = Self.scale
            while fraction % 10 == 0 { fraction /= 10; digits -= 1 }
            let fractionText = String(fraction)
            text += "." + String(repeating: "0", count: digits - fractionText.count) + fractionText
        }
        return text
    }

    /// The text with exactly `fractionDigits` (0...12) fractional digits; the value must already
    /// have no more digits than that (round first).
    public func formatted(fractionDigits: Int) -> String {
        precondition((0...Self.scale).contains(fractionDigits), "fraction digits out of range")
        let magnitude = raw.magnitude
        let unit: UInt128 = 1_000_000_000_000
        let integerPart = magnitude / unit
        var text = raw < 0 ? "-" : ""
        text += String(integerPart)
        guard fractionDigits > 0 else { return text }
        var fraction = magnitude % unit
        for _ in 0..<(Self.scale - fractionDigits) { fraction /= 10 }
        let fractionText = String(fraction)
        return text + "." + String(repeating: "0", count: fractionDigits - fractionText.count) + fractionText
    }

    /// Rounds half-even to `fractionDigits` (0...12). Exact; no overflow is possible.
    public func roundedHalfEven(fractionDigits: Int) -> ExactDecimal {
        precondition((0...Self.scale).contains(fractionDigits), "fraction digits out of range")
        var step: Int128 = 1
        for _ in 0..<(Self.scale - fractionDigits) { step *= 10 }
        let (quotient, remainder) = raw.quotientAndRemainder(dividingBy: step)
        let twice = remainder.magnitude * 2
        var rounded = quotient
        if twice > step.magnitude || (twice == step.magnitude && quotient & 1 != 0) {
            rounded += raw < 0 ? -1 : 1
        }
        return ExactDecimal(raw: rounded * step)
    }
}
