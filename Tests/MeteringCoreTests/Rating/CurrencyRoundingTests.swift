import Testing
@testable import MeteringCore

/// Rounding once, half-even, to the currency's minor unit (ISO 4217), the printed text, and
/// the limits of the quantity and amount ranges.
struct CurrencyRoundingTests {
    /// A unit price of 1, so the amount equals the quantity.
    private static let perUnit = Charge(meter: "m", model: .unit(unitPrice: .one))
    /// A unit price of −1 (a credit), for negative amounts.
    private static let creditPerUnit = Charge(meter: "m", model: .unit(unitPrice: ExactDecimal(-1)))

    @Test(arguments: [
        ("USD", "0.125", "0.12"), ("USD", "0.135", "0.14"), ("USD", "0.145", "0.14"),
        ("USD", "0.1250000001", "0.13"), ("USD", "0.124999999999", "0.12"), ("USD", "12.3", "12.30"),
        ("USD", "0", "0.00"), ("USD", "0.004999999999", "0.00"),
        ("JPY", "1500", "1500"), ("JPY", "0.5", "0"), ("JPY", "1.5", "2"), ("JPY", "2.5", "2"),
        ("JPY", "2.500000000001", "3"),
        ("BHD", "0.125", "0.125"), ("BHD", "0.1255", "0.126"), ("BHD", "0.1245", "0.124"), ("BHD", "1", "1.000"),
        ("CLF", "0.00005", "0.0000"), ("CLF", "0.00015", "0.0002"),
    ])
    func amountsRoundHalfEvenToTheMinorUnit(code: String, amount: String, line: String) throws {
        let rated = try Self.perUnit.rate(quantity: decimal(amount), in: Currency(code: code)!)
        #expect(rated.text == line)
        #expect(rated.value == decimal(line))
        #expect(rated.currency.code == code)
    }

    @Test(arguments: [("0.125", "-0.12"), ("0.135", "-0.14"), ("0.001", "0.00"), ("2.5", "-2.50")])
    func negativeAmountsRoundSymmetrically(quantity: String, line: String) throws {
        #expect(try Self.creditPerUnit.rate(quantity: decimal(quantity), in: Currency(code: "USD")!).text == line)
    }

    @Test func hugeQuantityTimesTinyPriceIsExact() throws {
        let charge = Charge(meter: "m", model: .unit(unitPrice: decimal("0.000000000001")))
        let quantity = decimal("999999999999999999.999999999999")
        #expect(try charge.exactAmount(quantity: quantity, in: Currency(code: "USD")!).text == "999999.999999999999999999999999")
        #expect(try charge.rate(quantity: quantity, in: Currency(code: "USD")!).text == "1000000.00")
        #expect(try charge.rate(quantity: quantity, in: Currency(code: "JPY")!).text == "1000000")
    }

    @Test func amountBeyondEighteenIntegerDigitsIsReported() {
        let charge = Charge(meter: "m", model: .unit(unitPrice: decimal("999999999999999999")))
        #expect(throws: RatingError.amountOutOfRange(
            meter: "m", exactAmount: "999999999999999998000000000000000001", currency: "USD")) {
            try charge.rate(quantity: decimal("999999999999999999"), in: Currency(code: "USD")!)
        }
    }

    @Test func amountThatRoundsUpToTenToTheEighteenIsReported() throws {
        let usd = Currency(code: "USD")!
        #expect(try Self.perUnit.rate(quantity: decimal("999999999999999999.994"), in: usd).text
                == "999999999999999999.99")
        #expect(throws: RatingError.amountOutOfRange(meter: "m", exactAmount: "999999999999999999.995", currency: "USD")) {
            try Self.perUnit.rate(quantity: decimal("999999999999999999.995"), in: usd)
        }
        let jpy = Currency(code: "JPY")!
        #expect(try Self.perUnit.rate(quantity: decimal("999999999999999998.5"), in: jpy).text == "999999999999999998")
        #expect(throws: RatingError.self) { try Self.perUnit.rate(quantity: decimal("999999999999999999.5"), in: jpy) }
        #expect(try Self.creditPerUnit.rate(quantity: decimal("999999999999999999.99"), in: usd).text
                == "-999999999999999999.99")
    }

    @Test func quantityBeyondTheContractRangeIsReportedNotWrapped() {
        let tenTo18 = ExactDecimal(raw: ExactDecimal.contractLimitRaw)
        #expect(throws: RatingError.quantityOutOfRange(meter: "m", quantity: "1000000000000000000")) {
            try Self.perUnit.rate(quantity: tenTo18, in: Currency(code: "USD")!)
        }
        #expect(throws: RatingError.quantityOutOfRange(meter: "m", quantity: "-1000000000000000000")) {
            try Self.perUnit.rate(quantity: ExactDecimal(raw: -ExactDecimal.contractLimitRaw), in: Currency(code: "USD")!)
        }
        let message = RatingError.quantityOutOfRange(meter: "api_tokens", quantity: "1000000000000000000").description
        #expect(message.contains("api_tokens") && message.contains("18 integer digits"))
    }

    @Test func ratedAmountReadBackFromStorageMustAlreadyBeRounded() {
        let usd = Currency(code: "USD")!
        #expect(RatedAmount(exactly: decimal("12.3"), currency: usd)?.text == "12.30")
        #expect(RatedAmount(exactly: decimal("12.345"), currency: usd) == nil)
        #expect(RatedAmount(exactly: decimal("1500"), currency: Currency(code: "JPY")!)?.text == "1500")
        #expect(RatedAmount(exactly: ExactDecimal(raw: ExactDecimal.contractLimitRaw), currency: usd) == nil)
        #expect(RatedAmount.zero(in: usd).text == "0.00")
        #expect(RatedAmount(exactly: decimal("-0.5"), currency: usd)?.description == "-0.50 USD")
    }
}

private func decimal(_ text: String) -> ExactDecimal {
    guard case .success(let value) = ExactDecimal.parse(text) else { fatalError("bad decimal \(text) in a test") }
    return value
}
