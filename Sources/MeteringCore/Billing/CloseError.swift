/// Why a close cannot be planned as it stands; each message names the row and what to fix.
public enum CloseError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stored line's amount has more fractional digits than its currency's minor unit.
    case billedAmountNotInMinorUnits(account: String, meter: String, period: String, amount: String, currency: Currency)
    /// A stored line cannot be read back.
    case unreadableBilledRow(account: String, meter: String, period: String, what: String)
    /// The row was billed in one currency and its plan now charges another.
    case currencyChanged(account: String, meter: String, period: String, billed: Currency, now: Currency)
    /// An adjustment's difference does not fit the quantity range.
    case differenceOutOfRange(account: String, meter: String, period: String)

    public var description: String {
        switch self {
        case .billedAmountNotInMinorUnits(let account, let meter, let period, let amount, let currency):
            "invoice lines of \(account)/\(meter)/\(period) add up to \(amount) \(currency.code), which has more than "
                + "the \(currency.minorUnits) fractional digits of \(currency.code): a line was written by hand or by a "
                + "faulty build; correct it in invoice_lines before closing"
        case .unreadableBilledRow(let account, let meter, let period, let what):
            "invoice lines of \(account)/\(meter)/\(period) hold an unreadable \(what): correct it in invoice_lines"
        case .currencyChanged(let account, let meter, let period, let billed, let now):
            "\(account)/\(meter)/\(period) was billed in \(billed.code) but its plan now charges \(now.code): "
                + "an adjustment cannot mix currencies; bill the difference by hand or restore the plan's currency"
        case .differenceOutOfRange(let account, let meter, let period):
            "the adjustment of \(account)/\(meter)/\(period) is beyond the quantity range (18 integer digits)"
        }
    }
}
