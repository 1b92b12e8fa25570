import Testing
@testable import MeteringCore

@Suite struct UsagePricerTests {
    let meters = [Meter(slug: "calls", eventType: "call", aggregation: .count),
                  Meter(slug: "seats", eventType: "seat", aggregation: .max, valueProperty: try! JSONPath("$.seats"))]
    let plan = Plan(key: "pro", currency: Currency(code: "USD")!,
                    charges: [Charge(meter: "calls", model: .unit(unitPrice: ExactDecimal("0.25")!))])

    var pricer: UsagePricer { UsagePricer(meters: meters, plans: [plan], accounts: [Account(id: "acct-1", plan: "pro")]) }

    @Test func anUnknownAccountIsTotalledButUnbilled() throws {
        let usage = try pricer.price(UsageTotal(account: "stranger", meter: "calls", period: "2026-11", dimensions: "{}", events: 7))
        #expect(usage.quantity == ExactDecimal(7))
        #expect(usage.unbilled && usage.amount == nil && usage.currency == nil && !usage.isBillable)
    }

    @Test func aMeterThePlanDoesNotChargeIsZeroInThePlanCurrencyAndNotInvoiced() throws {
        let usage = try pricer.price(UsageTotal(account: "acct-1", meter: "seats", period: "2026-11", dimensions: "{}",
                                                events: 2, max: ExactDecimal(12)))
        #expect(usage.amount?.text == "0.00" && usage.currency?.code == "USD")
        #expect(!usage.unbilled && !usage.isBillable)
    }

    @Test func aChargedMeterIsRated() throws {
        let usage = try pricer.price(UsageTotal(account: "acct-1", meter: "calls", period: "2026-11", dimensions: "{}", events: 9))
        #expect(usage.amount?.text == "2.25" && usage.isBillable)
    }

    @Test func aTotalBeyondTheQuantityRangeIsAnErrorNotARoundedNumber() {
        let total = UsageTotal(account: "acct-1", meter: "seats", period: "2026-11", dimensions: "{}", events: 1,
                               max: ExactDecimal(raw: ExactDecimal.contractLimitRaw))
        #expect(throws: UsageError.self) { try pricer.price(total) }
    }
}
