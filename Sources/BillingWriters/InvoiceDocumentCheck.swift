extension InvoiceDocument {
    /// The exact sum of the line amounts, or why the document cannot be billed as built.
    /// Checked before any call to a destination, so a malformed document fails at once.
    func ratedTotal() throws(InvoiceProblem) -> MinorUnitAmount {
        guard !lines.isEmpty else {
            throw InvoiceProblem("invoice \(key) has no lines: close should not emit an empty invoice")
        }
        guard (0...18).contains(currencyMinorUnits) else {
            throw InvoiceProblem("invoice \(key): currency \(currency) has \(currencyMinorUnits) minor units, expected 0 to 18")
        }
        var amounts: [MinorUnitAmount] = []
        for line in lines {
            guard let amount = MinorUnitAmount(rated: line.amount, minorDigits: currencyMinorUnits) else {
                throw InvoiceProblem("invoice \(key), line \(line.lineKey): amount \"\(line.amount)\" is not a decimal "
                    + "with exactly \(currencyMinorUnits) fractional digits, as \(currency) requires")
            }
            amounts.append(amount)
        }
        guard let total = MinorUnitAmount.sum(amounts, minorDigits: currencyMinorUnits) else {
            throw InvoiceProblem("invoice \(key): the sum of its line amounts overflows")
        }
        return total
    }
}
