/// An exact decimal number: a signed integer count of 10⁻¹² units, held in an `Int128`.
///
/// Quantities and money use this type everywhere; nothing on their path goes through `Double`.
/// The contract range (DESIGN §3) is 18 integer digits and 12 fractional digits, that is
/// `|value| < 10¹⁸`. The `Int128` holds up to about 1.7 × 10²⁶, so sums of in-range values
/// have head room; `isInContractRange` tells whether a result is still reportable.
/// Arithmetic reports overflow instead of wrapping. Value type; thread-safe.
public struct ExactDecimal: Hashable, Comparable, Sendable {
    /// Fractional digits of the fixed-point representation.
    public static let scale = 12
    /// 10¹², one unit in raw form.
    public static let one = ExactDecimal(raw: 1_000_000_000_000)
    public static let zero = ExactDecimal(raw: 0)
    /// The largest magnitude allowed by the contract, exclusive: 10¹⁸ (raw 10³⁰).
    public static let contractLimitRaw: Int128 = 1_000_000_000_000_000_000_000_000_000_000

    /// The value times 10¹².
    public var raw: Int128

    @inlinable
    public init(raw: Int128) { self.raw = raw }

    /// The integer `value` exactly (no overflow is possible for `Int64`).
    @inlinable
    public init(_ value: Int64) { self.raw = Int128(value) * 1_000_000_000_000 }

    @inlinable
    public static func < (lhs: ExactDecimal, rhs: ExactDecimal) -> Bool { lhs.raw < rhs.raw }

    /// True when the value fits the contract's 18 integer digits.
    @inlinable
    public var isInContractRange: Bool {
        raw < Self.contractLimitRaw && raw > -Self.contractLimitRaw
    }

    @inlinable public var isZero: Bool { raw == 0 }
    @inlinable public var isNegative: Bool { raw < 0 }
}

/// Arithmetic that reports overflow of the `Int128` representation instead of wrapping.
extension ExactDecimal {
    @inlinable
    public func addingReportingOverflow(_ other: ExactDecimal) -> (partialValue: ExactDecimal, overflow: Bool) {
        let (sum, overflow) = raw.addingReportingOverflow(other.raw)
        return (ExactDecimal(raw: sum), overflow)
    }

    @inlinable
    public func subtractingReportingOverflow(_ other: ExactDecimal) -> (partialValue: ExactDecimal, overflow: Bool) {
        let (difference, overflow) = raw.subtractingReportingOverflow(other.raw)
        return (ExactDecimal(raw: difference), overflow)
    }

    /// Exact sum, or `ArithmeticOverflow` when the representation would wrap.
    @inlinable
    public func adding(_ other: ExactDecimal) throws(ArithmeticOverflow) -> ExactDecimal {
        let (result, overflow) = addingReportingOverflow(other)
        if overflow { throw ArithmeticOverflow(operation: "add") }
        return result
    }

    @inlinable
    public func subtracting(_ other: ExactDecimal) throws(ArithmeticOverflow) -> ExactDecimal {
        let (result, overflow) = subtractingReportingOverflow(other)
        if overflow { throw ArithmeticOverflow(operation: "subtract") }
        return result
    }

    /// The value divided by a positive count, rounded half-even to 12 fractional digits (AVG).
    public func dividedRoundingHalfEven(by count: Int64) -> ExactDecimal {
        precondition(count > 0, "division by a non-positive count")
        let divisor = Int128(count)
        let (quotient, remainder) = raw.quotientAndRemainder(dividingBy: divisor)
        let twiceRemainder = remainder.magnitude * 2
        let direction: Int128 = raw < 0 ? -1 : 1
        if twiceRemainder > divisor.magnitude
            || (twiceRemainder == divisor.magnitude && quotient & 1 != 0) {
            return ExactDecimal(raw: quotient + direction)
        }
        return ExactDecimal(raw: quotient)
    }
}

/// An arithmetic result does not fit; nothing was wrapped or rounded.
public struct ArithmeticOverflow: Error, Hashable, Sendable, CustomStringConvertible {
    public var operation: String
    public init(operation: String) { self.operation = operation }
    public var description: String { "decimal \(operation) overflowed: the result is beyond the supported range" }
}
