/// The rounded amount of one invoice line, in a currency.
///
/// Invariant: `value` has no more fractional digits than `currency.minorUnits` (it was rounded
/// half-even once, from the exact amount) and at most 18 integer digits. Produced by
/// `Charge.rate(quantity:in:)`; immutable value type; thread-safe.
public struct RatedAmount: Hashable, Sendable, CustomStringConvertible {
    /// Rounded half-even to `currency.minorUnits`.
    public let value: ExactDecimal
    public let currency: Currency

    /// Trusted by the rater, which has just rounded `value`.
    init(value: ExactDecimal, currency: Currency) {
        self.value = value
        self.currency = currency
    }

    /// An amount read back from storage: nil unless `value` already has at most
    /// `currency.minorUnits` fractional digits and at most 18 integer digits. Never rounds.
    public init?(exactly value: ExactDecimal, currency: Currency) {
        guard value.isInContractRange,
              value.roundedHalfEven(fractionDigits: currency.minorUnits) == value
        else { return nil }
        self.init(value: value, currency: currency)
    }

    /// Zero in `currency`: the amount of a meter the plan does not charge (`"0.00"` for USD).
    public static func zero(in currency: Currency) -> RatedAmount {
        RatedAmount(value: .zero, currency: currency)
    }

    /// Exactly `currency.minorUnits` fractional digits: `"12.30"`, `"1500"` (JPY), `"0.125"` (BHD).
    public var text: String { value.formatted(fractionDigits: currency.minorUnits) }

    /// The text and the currency code: `"12.30 USD"`.
    public var description: String { "\(text) \(currency.code)" }
}
