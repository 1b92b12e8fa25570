import Testing
import MeteringCore

/// A charge that cannot price every quantity is rejected with an error naming the setting,
/// by `validate()` and by `rate` alike; nothing crashes or prices silently.
struct ChargeValidationTests {
    private static let usd = Currency(code: "USD")!

    private static func tiers(_ bounds: [String?]) -> [PriceTier] {
        bounds.map { PriceTier(upTo: $0.map(decimal), unitPrice: .one) }
    }

    @Test(arguments: [
        (tiers([]), RatingError.noTiers(meter: "m")),
        (tiers([nil, nil]), .tierWithoutUpTo(meter: "m", tier: 0)),
        (tiers(["10", nil, "30", nil]), .tierWithoutUpTo(meter: "m", tier: 1)),
        (tiers(["10"]), .lastTierHasUpTo(meter: "m", tier: 0)),
        (tiers(["10", "20"]), .lastTierHasUpTo(meter: "m", tier: 1)),
        (tiers(["0", nil]), .tiersNotAscending(meter: "m", tier: 0)),
        (tiers(["-5", nil]), .tiersNotAscending(meter: "m", tier: 0)),
        (tiers(["10", "10", nil]), .tiersNotAscending(meter: "m", tier: 1)),
        (tiers(["10", "9.999999999999", nil]), .tiersNotAscending(meter: "m", tier: 1)),
    ])
    func malformedTiersAreRejected(tiers: [PriceTier], error: RatingError) {
        for model in [PricingModel.graduated(tiers: tiers), .volume(tiers: tiers)] {
            let charge = Charge(meter: "m", model: model)
            #expect(throws: error) { try charge.validate() }
            #expect(throws: error) { try charge.rate(quantity: .one, in: Self.usd) }
        }
    }

    @Test func validTiersPass() throws {
        try Charge(meter: "m", model: .graduated(tiers: Self.tiers(["0.000000000001", "10", nil]))).validate()
        try Charge(meter: "m", model: .volume(tiers: Self.tiers([nil]))).validate()
    }

    @Test(arguments: ["0", "-1"])
    func packageSizeMustBePositive(size: String) {
        let charge = Charge(meter: "m", model: .package(packageSize: decimal(size), packagePrice: .one))
        #expect(throws: RatingError.packageSizeNotPositive(meter: "m", packageSize: size)) {
            try charge.rate(quantity: .one, in: Self.usd)
        }
    }

    @Test func includedQuantityMustNotBeNegative() {
        let charge = Charge(meter: "m", model: .unit(unitPrice: .one), includedQuantity: decimal("-1"))
        #expect(throws: RatingError.includedQuantityNegative(meter: "m", includedQuantity: "-1")) {
            try charge.validate()
        }
    }

    @Test func negativePricesAreAllowedAsCredits() throws {
        let charge = Charge(meter: "m", model: .unit(unitPrice: decimal("-0.5")), minimum: decimal("-10"))
        #expect(try charge.rate(quantity: decimal("4"), in: Self.usd).text == "-2.00")
        #expect(try charge.rate(quantity: decimal("40"), in: Self.usd).text == "-10.00")
    }

    @Test func settingsBeyondEighteenIntegerDigitsAreNamed() {
        let huge = ExactDecimal(raw: ExactDecimal.contractLimitRaw)
        let cases: [(Charge, String)] = [
            (Charge(meter: "m", model: .unit(unitPrice: huge)), "unitPrice"),
            (Charge(meter: "m", model: .flat(amount: huge)), "amount"),
            (Charge(meter: "m", model: .package(packageSize: huge, packagePrice: .one)), "packageSize"),
            (Charge(meter: "m", model: .package(packageSize: .one, packagePrice: huge)), "packagePrice"),
            (Charge(meter: "m", model: .unit(unitPrice: .one), includedQuantity: huge), "includedQuantity"),
            (Charge(meter: "m", model: .unit(unitPrice: .one), minimum: huge), "minimum"),
            (Charge(meter: "m", model: .graduated(tiers: [PriceTier(upTo: huge, unitPrice: .one),
                                                         PriceTier(upTo: nil, unitPrice: .one)])), "tiers[0].upTo"),
            (Charge(meter: "m", model: .volume(tiers: [PriceTier(upTo: .one, unitPrice: .one),
                                                      PriceTier(upTo: nil, unitPrice: .one, flatFee: huge)])),
             "tiers[1].flatFee"),
            (Charge(meter: "m", model: .volume(tiers: [PriceTier(upTo: nil, unitPrice: huge)])), "tiers[0].unitPrice"),
        ]
        for (charge, setting) in cases {
            #expect(throws: RatingError.settingOutOfRange(meter: "m", setting: setting, value: "1000000000000000000")) {
                try charge.validate()
            }
        }
    }

    @Test func messagesSayWhatToFix() {
        #expect(RatingError.tiersNotAscending(meter: "seats", tier: 2).description
                == "charge for meter `seats`: `tiers[2].upTo` must be greater than `tiers[1].upTo` (tiers are strictly ascending)")
        #expect(RatingError.tiersNotAscending(meter: "seats", tier: 0).description
                == "charge for meter `seats`: `tiers[0].upTo` must be greater than 0")
        #expect(RatingError.packageSizeNotPositive(meter: "gb", packageSize: "0").description
                == "charge for meter `gb`: `packageSize` must be greater than 0, not 0")
        #expect(RatingError.amountOutOfRange(meter: "m", exactAmount: "1e18", currency: "USD").description
                .contains("check the charge's prices"))
    }
}

private func decimal(_ text: String) -> ExactDecimal {
    guard case .success(let value) = ExactDecimal.parse(text) else { fatalError("bad decimal \(text) in a test") }
    return value
}
