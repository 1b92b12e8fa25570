import Testing
@testable import MeteringCore

/// The worked pricing examples printed in README.md, checked so the documentation cannot drift.
@Suite struct ReadmeExampleTests {
    let usd = Currency(code: "USD")!
    let jpy = Currency(code: "JPY")!

    func d(_ text: String) -> ExactDecimal { ExactDecimal(text)! }

    @Test func unit() throws {
        let charge = Charge(meter: "api_calls", model: .unit(unitPrice: d("0.001")))
        #expect(try charge.rate(quantity: d("1234567"), in: usd).text == "1234.57")
        #expect(try charge.rate(quantity: d("1234567"), in: jpy).text == "1235")
    }

    @Test func graduated() throws {
        let charge = Charge(meter: "api_tokens", model: .graduated(tiers: [
            PriceTier(upTo: d("1000000"), unitPrice: .zero), PriceTier(upTo: nil, unitPrice: d("0.000002"))]))
        #expect(try charge.rate(quantity: d("1250000"), in: usd).text == "0.50")
        let withFee = Charge(meter: "m", model: .graduated(tiers: [
            PriceTier(upTo: d("100"), unitPrice: .zero, flatFee: d("10")), PriceTier(upTo: nil, unitPrice: d("0.5"))]))
        #expect(try withFee.rate(quantity: d("0.5"), in: usd).text == "10.00")
        #expect(try withFee.rate(quantity: d("150"), in: usd).text == "35.00")
        #expect(try withFee.rate(quantity: .zero, in: usd).text == "0.00")
    }

    @Test func volume() throws {
        let charge = Charge(meter: "seats", model: .volume(tiers: [
            PriceTier(upTo: d("10"), unitPrice: d("12")), PriceTier(upTo: nil, unitPrice: d("9"))]))
        #expect(try charge.rate(quantity: d("10"), in: usd).text == "120.00")
        #expect(try charge.rate(quantity: d("14"), in: usd).text == "126.00")
    }

    @Test func package() throws {
        let charge = Charge(meter: "sms", model: .package(packageSize: d("100"), packagePrice: d("5")))
        #expect(try charge.rate(quantity: d("250"), in: usd).text == "15.00")
        #expect(try charge.rate(quantity: d("300"), in: usd).text == "15.00")
    }

    @Test func flat() throws {
        let charge = Charge(meter: "platform", model: .flat(amount: d("49")))
        #expect(try charge.rate(quantity: d("3"), in: usd).text == "49.00")
    }

    @Test func includedQuantityAndMinimum() throws {
        let charge = Charge(meter: "compute", model: .unit(unitPrice: d("0.01")), includedQuantity: d("1000"),
                            minimum: d("20"))
        #expect(try charge.rate(quantity: d("1500"), in: usd).text == "20.00")   // 500 × 0.01 = 5.00 → minimum 20
        #expect(try charge.rate(quantity: d("4000"), in: usd).text == "30.00")   // 3000 × 0.01
    }
}
