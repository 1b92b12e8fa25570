/// A signed 256-bit integer in two's complement: `high × 2¹²⁸ + low`.
///
/// Just enough wide arithmetic to price exactly: the product of two `Int128`s (which always
/// fits), addition and subtraction that report overflow instead of wrapping, multiplication by
/// an `Int128` that reports overflow, comparison, and division by a power of ten with half-even
/// rounding (in `Int256+Division.swift`). The range is −2²⁵⁵ … 2²⁵⁵ − 1 (about ±5.7 × 10⁷⁶).
/// Value type; thread-safe.
struct Int256: Hashable, Comparable, Sendable {
    /// The upper 128 bits, carrying the sign.
    var high: Int128
    /// The lower 128 bits.
    var low: UInt128

    init(high: Int128, low: UInt128) {
        self.high = high
        self.low = low
    }

    /// The same value, sign-extended.
    init(_ value: Int128) {
        self.high = value < 0 ? -1 : 0
        self.low = UInt128(truncatingIfNeeded: value)
    }

    static let zero = Int256(high: 0, low: 0)

    var isNegative: Bool { high < 0 }

    /// The exact product; `|a × b| ≤ 2²⁵⁴`, so it always fits.
    static func product(_ a: Int128, _ b: Int128) -> Int256 {
        let (high, low) = a.multipliedFullWidth(by: b)
        return Int256(high: high, low: low)
    }

    static func < (lhs: Int256, rhs: Int256) -> Bool {
        lhs.high != rhs.high ? lhs.high < rhs.high : lhs.low < rhs.low
    }

    func addingReportingOverflow(_ other: Int256) -> (partialValue: Int256, overflow: Bool) {
        let (low, carry) = low.addingReportingOverflow(other.low)
        let high = high &+ other.high &+ (carry ? 1 : 0)
        let sum = Int256(high: high, low: low)
        // Two's complement: overflow iff both operands share a sign that the result lacks.
        let overflow = isNegative == other.isNegative && sum.isNegative != isNegative
        return (sum, overflow)
    }

    func subtractingReportingOverflow(_ other: Int256) -> (partialValue: Int256, overflow: Bool) {
        let (low, borrow) = low.subtractingReportingOverflow(other.low)
        let high = high &- other.high &- (borrow ? 1 : 0)
        let difference = Int256(high: high, low: low)
        // Overflow iff the operands differ in sign and the result's sign is not the minuend's.
        let overflow = isNegative != other.isNegative && difference.isNegative != isNegative
        return (difference, overflow)
    }

    func adding(_ other: Int256) throws(ArithmeticOverflow) -> Int256 {
        let (sum, overflow) = addingReportingOverflow(other)
        if overflow { throw ArithmeticOverflow(operation: "256-bit add") }
        return sum
    }

    func subtracting(_ other: Int256) throws(ArithmeticOverflow) -> Int256 {
        let (difference, overflow) = subtractingReportingOverflow(other)
        if overflow { throw ArithmeticOverflow(operation: "256-bit subtract") }
        return difference
    }

    /// The exact product with `factor`, or `ArithmeticOverflow` when it leaves the range.
    func multiplied(by factor: Int128) throws(ArithmeticOverflow) -> Int256 {
        let magnitude = self.magnitude
        let (lowCarry, low) = magnitude.low.multipliedFullWidth(by: factor.magnitude)
        let (highCarry, highPart) = magnitude.high.multipliedFullWidth(by: factor.magnitude)
        let (high, carried) = highPart.addingReportingOverflow(lowCarry)
        guard highCarry == 0, !carried else { throw ArithmeticOverflow(operation: "256-bit multiply") }
        let negative = isNegative != (factor < 0)
        guard let result = Int256(magnitude: UInt256(high: high, low: low), negative: negative) else {
            throw ArithmeticOverflow(operation: "256-bit multiply")
        }
        return result
    }

    /// The absolute value; exact even for −2²⁵⁵.
    var magnitude: UInt256 {
        let bits = UInt256(high: UInt128(truncatingIfNeeded: high), low: low)
        return isNegative ? bits.twosComplement : bits
    }

    /// `±magnitude`, or nil when it does not fit (`magnitude > 2²⁵⁵`, or `= 2²⁵⁵` when positive).
    init?(magnitude: UInt256, negative: Bool) {
        let signBit: UInt128 = 1 << 127
        if magnitude.high & signBit != 0 {
            // Only −2²⁵⁵ has the top bit set and still fits.
            guard negative, magnitude.high == signBit, magnitude.low == 0 else { return nil }
        }
        let bits = negative ? magnitude.twosComplement : magnitude
        self.init(high: Int128(truncatingIfNeeded: bits.high), low: bits.low)
    }
}

/// An unsigned 256-bit integer, `high × 2¹²⁸ + low`: the magnitude of an `Int256`. Value type.
struct UInt256: Hashable, Sendable {
    var high: UInt128
    var low: UInt128

    var isZero: Bool { high == 0 && low == 0 }

    /// `2²⁵⁶ − self`, wrapping; negation in two's complement.
    var twosComplement: UInt256 {
        let (low, carry) = (~low).addingReportingOverflow(1)
        return UInt256(high: ~high &+ (carry ? 1 : 0), low: low)
    }
}
