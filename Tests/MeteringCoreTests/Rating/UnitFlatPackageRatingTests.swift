import Testing
@testable import MeteringCore

/// Unit, flat and package prices, the included quantity and the minimum.
struct UnitFlatPackageRatingTests {
    private static let usd = Currency(code: "USD")!

    @Test(arguments: [
        ("0", "0", "0.00"),
        ("1234", "1.234", "1.23"),
        ("1235", "1.235", "1.24"),                               // tie, 3 is odd: up
        ("1245", "1.245", "1.24"),                               // tie, 4 is even: stays
        ("1245.000000000001", "1.245000000000001", "1.25"),      // just above the tie
        ("-5", "0", "0.00"),                                     // a negative total prices like zero
    ])
    func unitPriceMultipliesTheTotal(quantity: String, exact: String, line: String) throws {
        let charge = Charge(meter: "api_calls", model: .unit(unitPrice: decimal("0.001")))
        #expect(try charge.exactAmount(quantity: decimal(quantity), in: Self.usd).text == exact)
        #expect(try charge.rate(quantity: decimal(quantity), in: Self.usd).text == line)
    }

    @Test(arguments: [
        ("0", "0.00"), ("999", "0.00"), ("999.999999999999", "0.00"), ("1000", "0.00"),
        ("1000.000000000001", "0.00"), ("1000.5", "0.00"), ("1001", "0.01"), ("1001.5", "0.02"), ("2000", "10.00"),
    ])
    func includedQuantityIsTakenOffFirst(quantity: String, line: String) throws {
        let charge = Charge(meter: "api_calls", model: .unit(unitPrice: decimal("0.01")),
                            includedQuantity: decimal("1000"))
        #expect(try charge.rate(quantity: decimal(quantity), in: Self.usd).text == line)
    }

    @Test(arguments: ["0", "-1", "0.000000000001", "12345"])
    func flatChargesItsAmountOncePerRow(quantity: String) throws {
        let charge = Charge(meter: "seats", model: .flat(amount: decimal("10")), includedQuantity: decimal("100"))
        #expect(try charge.rate(quantity: decimal(quantity), in: Self.usd).text == "10.00")
    }

    @Test(arguments: [
        ("100", "5.00"),        // 1.00 is below the minimum
        ("499.999", "5.00"),
        ("500", "5.00"),        // exactly the minimum
        ("500.6", "5.01"),      // 5.006 is above it
        ("1000", "10.00"),
        ("-40", "5.00"),
    ])
    func minimumIsAFloorOnTheLineAmount(quantity: String, line: String) throws {
        let charge = Charge(meter: "api_calls", model: .unit(unitPrice: decimal("0.01")), minimum: decimal("5"))
        #expect(try charge.rate(quantity: decimal(quantity), in: Self.usd).text == line)
    }

    @Test func minimumIsRoundedOnceWithTheAmount() throws {
        let charge = Charge(meter: "api_calls", model: .unit(unitPrice: decimal("0")), minimum: decimal("0.125"))
        #expect(try charge.exactAmount(quantity: decimal("7"), in: Self.usd).text == "0.125")
        #expect(try charge.rate(quantity: decimal("7"), in: Self.usd).text == "0.12")
    }

    @Test(arguments: [
        ("0", "0.00"),
        ("-7", "0.00"),
        ("0.000000000001", "5.00"),       // any part of a block buys the whole block
        ("99.999999999999", "5.00"),
        ("100", "5.00"),                  // an exact multiple
        ("100.000000000001", "10.00"),    // one step past it
        ("200", "10.00"),
        ("201", "15.00"),
    ])
    func packageRoundsUpToWholeBlocks(quantity: String, line: String) throws {
        let charge = Charge(meter: "api_calls", model: .package(packageSize: decimal("100"), packagePrice: decimal("5")))
        #expect(try charge.rate(quantity: decimal(quantity), in: Self.usd).text == line)
    }

    @Test(arguments: [("50", "0.00"), ("150", "5.00"), ("150.5", "10.00")])
    func packageCountsBlocksAfterTheIncludedQuantity(quantity: String, line: String) throws {
        let charge = Charge(meter: "api_calls", model: .package(packageSize: decimal("100"), packagePrice: decimal("5")),
                            includedQuantity: decimal("50"))
        #expect(try charge.rate(quantity: decimal(quantity), in: Self.usd).text == line)
    }

    @Test func packageOfAFractionalSize() throws {
        let charge = Charge(meter: "gb", model: .package(packageSize: decimal("0.5"), packagePrice: decimal("0.3")))
        #expect(try charge.rate(quantity: decimal("1"), in: Self.usd).text == "0.60")
        #expect(try charge.rate(quantity: decimal("1.1"), in: Self.usd).text == "0.90")
    }

    @Test func packageCountBeyondWhatInt128CanScaleStaysExact() throws {
        // 10²⁷ − 1 packages of 10⁻¹²: the count times 10¹² does not fit an Int128.
        let tiny = decimal("0.000000000001")
        let charge = Charge(meter: "bytes", model: .package(packageSize: tiny, packagePrice: tiny))
        let quantity = decimal("999999999999999.999999999999")
        #expect(try charge.exactAmount(quantity: quantity, in: Self.usd).text == "999999999999999.999999999999")
        #expect(try charge.rate(quantity: quantity, in: Self.usd).text == "1000000000000000.00")
    }

    @Test func pricingDescriptionNamesTheModel() {
        #expect(Charge(meter: "a", model: .unit(unitPrice: decimal("0.001"))).pricingDescription == "unit 0.001")
        #expect(Charge(meter: "a", model: .graduated(tiers: [PriceTier(upTo: nil, unitPrice: .one)]))
            .pricingDescription == "graduated")
        #expect(Charge(meter: "a", model: .volume(tiers: [PriceTier(upTo: nil, unitPrice: .one)]))
            .pricingDescription == "volume")
        #expect(Charge(meter: "a", model: .package(packageSize: decimal("100"), packagePrice: decimal("5.50")))
            .pricingDescription == "package of 100 at 5.5")
        #expect(Charge(meter: "a", model: .flat(amount: decimal("10"))).pricingDescription == "flat 10")
        #expect(Charge(meter: "a", model: .unit(unitPrice: decimal("0.01")), includedQuantity: decimal("1000"),
                       minimum: decimal("5")).pricingDescription == "unit 0.01, 1000 included, minimum 5")
    }
}

private func decimal(_ text: String) -> ExactDecimal {
    guard case .success(let value) = ExactDecimal.parse(text) else { fatalError("bad decimal \(text) in a test") }
    return value
}
