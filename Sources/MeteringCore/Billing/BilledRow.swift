/// What the lines written so far bill for one row (account, meter, period, dimensions) of a
/// closed period: every version summed. Read back from the store to plan adjustments.
///
/// Invariant (checked where it is built from text): `amount` has no more fractional digits
/// than `currency`'s minor unit. A value type.
public struct BilledRow: Hashable, Sendable {
    public let account: String
    public let meter: String
    public let period: String
    public let dimensions: String
    /// The highest version written; the next line is `latestVersion + 1`.
    public let latestVersion: Int
    /// Sum of the lines' quantities: the total billed so far.
    public let quantity: ExactDecimal
    /// Sum of the lines' amounts: price(billed total).
    public let amount: ExactDecimal
    public let currency: Currency

    /// Reads a stored row; throws when an amount has more digits than the currency's minor
    /// unit (a line that should never have been written), naming it.
    public init(account: String, meter: String, period: String, dimensions: String, latestVersion: Int,
                quantity: String, amount: String, currency code: String) throws(CloseError) {
        guard let currency = Currency(code: code) else {
            throw .unreadableBilledRow(account: account, meter: meter, period: period, what: "currency \"\(code)\"")
        }
        guard let quantityValue = ExactDecimal(quantity) else {
            throw .unreadableBilledRow(account: account, meter: meter, period: period, what: "quantity \(quantity)")
        }
        guard let amountValue = ExactDecimal(amount),
              RatedAmount(exactly: amountValue, currency: currency) != nil else {
            throw .billedAmountNotInMinorUnits(account: account, meter: meter, period: period, amount: amount,
                                               currency: currency)
        }
        self.account = account
        self.meter = meter
        self.period = period
        self.dimensions = dimensions
        self.latestVersion = latestVersion
        self.quantity = quantityValue
        self.amount = amountValue
        self.currency = currency
    }
}
