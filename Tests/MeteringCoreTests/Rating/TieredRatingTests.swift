import Testing
@testable import MeteringCore

/// Graduated and volume prices at, just below and just above every tier boundary
/// (10⁻¹² is the smallest step of a quantity). Each row: quantity, exact amount, USD line.
struct TieredRatingTests {
    private static let usd = Currency(code: "USD")!

    /// 0.10 up to 100 (fee 5), 0.05 up to 1000 (fee 2), 0.01 beyond.
    private static let graduated = Charge(meter: "api_tokens", model: .graduated(tiers: [
        PriceTier(upTo: decimal("100"), unitPrice: decimal("0.10"), flatFee: decimal("5")),
        PriceTier(upTo: decimal("1000"), unitPrice: decimal("0.05"), flatFee: decimal("2")),
        PriceTier(upTo: nil, unitPrice: decimal("0.01")),
    ]))

    /// 12 up to 10 (fee 1), 9 up to 100, 7 beyond (fee 50).
    private static let volume = Charge(meter: "seats", model: .volume(tiers: [
        PriceTier(upTo: decimal("10"), unitPrice: decimal("12"), flatFee: decimal("1")),
        PriceTier(upTo: decimal("100"), unitPrice: decimal("9")),
        PriceTier(upTo: nil, unitPrice: decimal("7"), flatFee: decimal("50")),
    ]))

    @Test(arguments: [
        ("0", "0", "0.00"),                                      // no tier, so no fee
        ("-3", "0", "0.00"),                                     // negative totals price like zero
        ("0.000000000001", "5.0000000000001", "5.00"),           // a fraction in tier 1 charges its fee
        ("99.999999999999", "14.9999999999999", "15.00"),
        ("100", "15", "15.00"),                                  // upTo is inclusive
        ("100.000000000001", "17.00000000000005", "17.00"),      // one step into tier 2 charges its fee
        ("999.999999999999", "61.99999999999995", "62.00"),
        ("1000", "62", "62.00"),
        ("1000.000000000001", "62.00000000000001", "62.00"),     // tier 3 has no fee
        ("1500", "67", "67.00"),
        ("1234.567", "64.34567", "64.35"),
    ])
    func graduatedPricesEachTierOnlyForItsOwnUnits(quantity: String, exact: String, line: String) throws {
        #expect(try Self.graduated.exactAmount(quantity: decimal(quantity), in: Self.usd).text == exact)
        #expect(try Self.graduated.rate(quantity: decimal(quantity), in: Self.usd).text == line)
    }

    @Test(arguments: [
        ("0", "1", "1.00"),                                      // q' = 0 belongs to the first tier
        ("-2", "1", "1.00"),
        ("0.5", "7", "7.00"),
        ("9.999999999999", "120.999999999988", "121.00"),
        ("10", "121", "121.00"),                                 // exactly at upTo: that tier
        ("10.000000000001", "90.000000000009", "90.00"),         // all units drop to the next price
        ("99.999999999999", "899.999999999991", "900.00"),
        ("100", "900", "900.00"),
        ("100.000000000001", "750.000000000007", "750.00"),
        ("1000", "7050", "7050.00"),
    ])
    func volumePricesAllUnitsAtTheTierHoldingTheTotal(quantity: String, exact: String, line: String) throws {
        #expect(try Self.volume.exactAmount(quantity: decimal(quantity), in: Self.usd).text == exact)
        #expect(try Self.volume.rate(quantity: decimal(quantity), in: Self.usd).text == line)
    }

    @Test(arguments: [
        ("49.999999999999", "0.00"), ("50", "0.00"), ("50.000000000001", "5.00"),
        ("150", "15.00"), ("150.000000000001", "17.00"), ("1050", "62.00"),
    ])
    func graduatedTiersStartAfterTheIncludedQuantity(quantity: String, line: String) throws {
        let charge = Charge(meter: "api_tokens", model: Self.graduated.model, includedQuantity: decimal("50"))
        #expect(try charge.rate(quantity: decimal(quantity), in: Self.usd).text == line)
    }

    @Test(arguments: [("0", "1.00"), ("50", "1.00"), ("60", "121.00"), ("60.000000000001", "90.00")])
    func volumeTierIsChosenByTheQuantityAfterTheIncludedOne(quantity: String, line: String) throws {
        let charge = Charge(meter: "seats", model: Self.volume.model, includedQuantity: decimal("50"))
        #expect(try charge.rate(quantity: decimal(quantity), in: Self.usd).text == line)
    }

    @Test func theExampleApiTokensPlanIsFreeUpToOneMillion() throws {
        let charge = Charge(meter: "api_tokens", model: .graduated(tiers: [
            PriceTier(upTo: decimal("1000000"), unitPrice: decimal("0")),
            PriceTier(upTo: nil, unitPrice: decimal("0.000002")),
        ]))
        #expect(try charge.rate(quantity: decimal("1000000"), in: Self.usd).text == "0.00")
        #expect(try charge.rate(quantity: decimal("3500000"), in: Self.usd).text == "5.00")
        #expect(try charge.rate(quantity: decimal("3502500"), in: Self.usd).text == "5.00")  // 5.005: tie to even
        #expect(try charge.rate(quantity: decimal("3507500"), in: Self.usd).text == "5.02")  // 5.015: tie to even
    }

    @Test func minimumAppliesToTieredAmountsBeforeRounding() throws {
        let charge = Charge(meter: "seats", model: Self.graduated.model, minimum: decimal("20.005"))
        #expect(try charge.rate(quantity: decimal("0"), in: Self.usd).text == "20.00")     // 20.005 → even
        #expect(try charge.rate(quantity: decimal("100"), in: Self.usd).text == "20.00")
        #expect(try charge.rate(quantity: decimal("1000"), in: Self.usd).text == "62.00")
    }
}

private func decimal(_ text: String) -> ExactDecimal {
    guard case .success(let value) = ExactDecimal.parse(text) else { fatalError("bad decimal \(text) in a test") }
    return value
}
