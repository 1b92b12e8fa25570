/// An unrounded amount of money with 24 fractional digits: an integer count of 10⁻²⁴ units
/// in an `Int256`.
///
/// A quantity (12 fractional digits) times a price (12 fractional digits) is exact at 24
/// digits, and 18 + 18 integer digits do not fit an `Int128`, so line amounts are summed here
/// and rounded exactly once (`rounded(in:)`). Operations report overflow instead of wrapping.
/// Value type; thread-safe. Internal to the core: the rest of the system sees `RatedAmount`.
struct ExactAmount: Hashable, Comparable, Sendable {
    /// Fractional digits of the representation.
    static let scale = 24

    /// The amount times 10²⁴.
    var scaled: Int256

    init(scaled: Int256) { self.scaled = scaled }

    static let zero = ExactAmount(scaled: .zero)

    /// The amount `value` exactly (a fee, a minimum). Cannot overflow.
    init(_ value: ExactDecimal) {
        scaled = Int256.product(value.raw, 1_000_000_000_000)
    }

    /// `quantity × price`, exactly. Cannot overflow.
    static func product(_ quantity: ExactDecimal, _ price: ExactDecimal) -> ExactAmount {
        ExactAmount(scaled: Int256.product(quantity.raw, price.raw))
    }

    /// `count × price` for a whole number `count` (packages), exactly.
    static func product(count: Int128, price: ExactDecimal) throws(ArithmeticOverflow) -> ExactAmount {
        let atScale12 = Int256.product(count, price.raw)
        return ExactAmount(scaled: try atScale12.multiplied(by: 1_000_000_000_000))
    }

    static func < (lhs: ExactAmount, rhs: ExactAmount) -> Bool { lhs.scaled < rhs.scaled }

    func adding(_ other: ExactAmount) throws(ArithmeticOverflow) -> ExactAmount {
        ExactAmount(scaled: try scaled.adding(other.scaled))
    }

    /// The full exact value as text, trailing fractional zeros removed (`"12.3045"`, `"7"`).
    var text: String {
        var text = scaled.decimalText(scale: Self.scale)
        while text.last == "0" { text.removeLast() }
        if text.last == "." { text.removeLast() }
        return text
    }

    /// Rounds once, half-even, to the currency's minor unit.
    ///
    /// Returns nil when the rounded amount needs more than the contract's 18 integer digits.
    func rounded(in currency: Currency) -> ExactDecimal? {
        let minorUnits = currency.minorUnits
        precondition((0...ExactDecimal.scale).contains(minorUnits), "a currency has 0...12 minor units")
        let inMinorUnits = scaled.dividedRoundingHalfEven(byPowerOfTen: Self.scale - minorUnits)
        // |value| < 10¹⁸  ⟺  |minor units| < 10^(18 + minorUnits) ≤ 10³⁰.
        let limit = Int256.powerOfTen(18 + minorUnits)
        let magnitude = inMinorUnits.magnitude
        guard magnitude.high == 0, magnitude.low < limit else { return nil }
        // Below 10³⁰ both the count of minor units and the raw value fit an Int128.
        let minor = Int128(magnitude.low)
        let step = Int128(Int256.powerOfTen(ExactDecimal.scale - minorUnits))
        return ExactDecimal(raw: (inMinorUnits.isNegative ? -minor : minor) * step)
    }
}
