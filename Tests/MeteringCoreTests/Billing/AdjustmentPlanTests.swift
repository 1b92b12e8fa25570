import RatingOracle
import Testing
@testable import MeteringCore

/// Adjustments (DESIGN §6) planned from totals that changed after their period closed. Every
/// expected amount is price(new) − price(billed) computed by the rating oracle, never by the
/// close plan under test.
@Suite struct AdjustmentPlanTests {
    let usd = Currency(code: "USD")!
    func d(_ text: String) -> ExactDecimal { ExactDecimal(text)! }

    var tokens: Charge {
        Charge(meter: "tokens", model: .graduated(tiers: [PriceTier(upTo: d("100000"), unitPrice: .zero),
                                                          PriceTier(upTo: nil, unitPrice: d("0.000002"))]))
    }
    var compute: Charge { Charge(meter: "compute", model: .unit(unitPrice: d("0.01")), minimum: d("20")) }
    var calls: Charge { Charge(meter: "calls", model: .unit(unitPrice: d("0.001"))) }

    var pricer: UsagePricer {
        UsagePricer(meters: [Meter(slug: "tokens", eventType: "req", aggregation: .sum, valueProperty: try! JSONPath("$.t")),
                             Meter(slug: "compute", eventType: "job", aggregation: .sum, valueProperty: try! JSONPath("$.s")),
                             Meter(slug: "calls", eventType: "req", aggregation: .count)],
                    plans: [Plan(key: "pro", currency: usd, charges: [tokens, compute, calls])],
                    accounts: [Account(id: "acct-1", plan: "pro"), Account(id: "acct-2", plan: "pro")])
    }

    let october = BillingPeriod("2026-10")!
    let november = BillingPeriod("2026-11")!

    func total(_ account: String, _ meter: String, _ quantity: String, period: String = "2026-10",
               dimensions: String = "{}") -> UsageTotal {
        meter == "calls"
            ? UsageTotal(account: account, meter: meter, period: period, dimensions: dimensions, events: Int64(quantity)!)
            : UsageTotal(account: account, meter: meter, period: period, dimensions: dimensions, events: 1, sum: d(quantity))
    }

    /// What the store would return for these written lines: every version of a row summed.
    func billed(_ lines: [InvoiceLine]) throws -> [BilledRow] {
        let rows = Dictionary(grouping: lines) { [$0.account, $0.meter, $0.period, $0.dimensions] }
        return try rows.map { key, lines in
            try BilledRow(account: key[0], meter: key[1], period: key[2], dimensions: key[3],
                          latestVersion: lines.map(\.version).max()!,
                          quantity: lines.reduce(ExactDecimal.zero) { ExactDecimal(raw: $0.raw + $1.quantity.raw) }.description,
                          amount: lines.reduce(ExactDecimal.zero) { ExactDecimal(raw: $0.raw + $1.amount.value.raw) }.description,
                          currency: "USD")
        }
    }

    /// price(new) − price(old) per the oracle, as the line's text.
    func expectedDifference(_ charge: Charge, new: String, old: String?) -> String {
        let newAmount = d(NaivePricing.ratedText(charge, quantity: d(new), currency: usd)!)
        let oldAmount = old.map { d(NaivePricing.ratedText(charge, quantity: d($0), currency: usd)!) } ?? .zero
        return ExactDecimal(raw: newAmount.raw - oldAmount.raw).formatted(fractionDigits: 2)
    }

    func closeOctober(_ totals: [UsageTotal]) throws -> PeriodClosePlan {
        try PeriodClosePlan(period: october, totals: totals, pricer: pricer, accounts: nil, alreadyClosed: [])
    }

    func closeNovember(_ totals: [UsageTotal], octoberNow: [UsageTotal], billedLines: [InvoiceLine],
                       octoberClosedBy: Set<String> = ["acct-1", "acct-2"]) throws -> PeriodClosePlan {
        try PeriodClosePlan(period: november, totals: totals, pricer: pricer, accounts: nil, alreadyClosed: [],
                            earlier: .init(periods: Dictionary(uniqueKeysWithValues: octoberClosedBy.map { ($0, ["2026-10"]) }),
                                           totals: octoberNow, billed: try billed(billedLines)))
    }

    @Test func lateEventsCrossingATierAndAMinimumBillTheDifferenceOfPricesNotThePriceOfTheDelta() throws {
        let before = [total("acct-1", "tokens", "90000"), total("acct-1", "compute", "1000"), total("acct-1", "calls", "500")]
        let october = try closeOctober(before)
        let octoberLines = october.invoices.flatMap(\.lines)
        #expect(octoberLines.count == 3 && octoberLines.allSatisfy { $0.version == 1 && !$0.isAdjustment })

        // Late October events: tokens cross the free tier, compute lifts the total above its minimum,
        // calls stay the same.
        let after = [total("acct-1", "tokens", "130000"), total("acct-1", "compute", "2500"), total("acct-1", "calls", "500")]
        let plan = try closeNovember([total("acct-1", "calls", "10", period: "2026-11")], octoberNow: after,
                                     billedLines: octoberLines)

        let invoice = try #require(plan.invoices.first { $0.account == "acct-1" })
        #expect(invoice.period == "2026-11")
        #expect(invoice.lines.filter { !$0.isAdjustment }.map(\.meter) == ["calls"])
        let adjustments = Dictionary(uniqueKeysWithValues: invoice.adjustments.map { ($0.meter, $0) })
        #expect(adjustments.keys.sorted() == ["compute", "tokens"])

        let tokenLine = try #require(adjustments["tokens"])
        #expect(tokenLine.amount.text == expectedDifference(tokens, new: "130000", old: "90000"))
        #expect(tokenLine.amount.text == "0.06")
        // price(delta of 40000 tokens) alone would be 0.00: the difference of prices is what is billed.
        #expect(NaivePricing.ratedText(tokens, quantity: d("40000"), currency: usd) == "0.00")
        #expect(tokenLine.quantity == d("40000") && tokenLine.version == 2 && tokenLine.period == "2026-10")
        #expect(tokenLine.billedPeriod == "2026-11")
        #expect(tokenLine.description.hasPrefix("adjustment for 2026-10: tokens 2026-10: +40000 units (now 130000)"))
        #expect(tokenLine.lineKey == InvoiceLine.key(account: "acct-1", meter: "tokens", period: "2026-10",
                                                     dimensions: "{}", version: 2))

        let computeLine = try #require(adjustments["compute"])
        #expect(computeLine.amount.text == expectedDifference(compute, new: "2500", old: "1000"))
        #expect(computeLine.amount.text == "5.00")     // 25.00 − the minimum 20.00, not price(1500) = 20.00
        #expect(computeLine.quantity == d("1500"))
    }

    @Test func billedTotalsPlusAdjustmentsAlwaysEqualThePriceOfTheLatestTotal() throws {
        var lines = try closeOctober([total("acct-1", "tokens", "50000")]).invoices.flatMap(\.lines)
        var billedPeriods: [BillingPeriod] = [november]
        // Three rounds of late events, each billed by the next close.
        for (round, tokensNow) in ["99999", "250000.5", "1000000"].enumerated() {
            let period = billedPeriods.last!
            let plan = try PeriodClosePlan(
                period: period, totals: [], pricer: pricer, accounts: nil, alreadyClosed: [],
                earlier: .init(periods: ["acct-1": ["2026-10"]], totals: [total("acct-1", "tokens", tokensNow)],
                               billed: try billed(lines)))
            let adjustments = plan.invoices.flatMap(\.adjustments)
            if round == 0 {
                // 50000 → 99999 stays in the free tier: the amount did not change, so no line.
                #expect(adjustments.isEmpty)
            } else {
                #expect(adjustments.count == 1)
                #expect(adjustments.first?.version == lines.count + 1)
                lines += adjustments
            }
            let billedSum = lines.reduce(ExactDecimal.zero) { ExactDecimal(raw: $0.raw + $1.amount.value.raw) }
            let expected = NaivePricing.ratedText(tokens, quantity: d(tokensNow), currency: usd)!
            #expect(billedSum.formatted(fractionDigits: 2) == expected, "after round \(round)")
            billedPeriods.append(period.next)
        }
    }

    @Test func aRowThatAppearsOnlyAfterCloseIsBilledAsVersionOneAdjustment() throws {
        let octoberLines = try closeOctober([total("acct-1", "calls", "100")]).invoices.flatMap(\.lines)
        let late = total("acct-1", "tokens", "300000", dimensions: #"{"model":"gpt-x"}"#)
        let plan = try closeNovember([], octoberNow: [total("acct-1", "calls", "100"), late], billedLines: octoberLines)
        let line = try #require(plan.invoices.first?.lines.first)
        #expect(plan.invoices.first?.lines.count == 1)
        #expect(line.isAdjustment && line.version == 1 && line.meter == "tokens")
        #expect(line.amount.text == expectedDifference(tokens, new: "300000", old: nil))
        #expect(line.description.contains("(model=gpt-x)"))
    }

    @Test func onlyAccountsThatClosedThePeriodAndCloseNowGetAdjustments() throws {
        let octoberLines = try closeOctober([total("acct-1", "calls", "100"), total("acct-2", "calls", "100")])
            .invoices.flatMap(\.lines)
        let octoberNow = [total("acct-1", "calls", "300"), total("acct-2", "calls", "300")]
        // acct-2 never closed October here: its October is still open, so nothing to adjust.
        let plan = try closeNovember([], octoberNow: octoberNow, billedLines: octoberLines, octoberClosedBy: ["acct-1"])
        #expect(plan.invoices.map(\.account) == ["acct-1"])
        // November already closed for acct-1: a re-run plans nothing for it.
        let rerun = try PeriodClosePlan(period: november, totals: [], pricer: pricer, accounts: nil,
                                        alreadyClosed: ["acct-1", "acct-2"],
                                        earlier: .init(periods: ["acct-1": ["2026-10"]], totals: octoberNow,
                                                       billed: try billed(octoberLines)))
        #expect(rerun.invoices.isEmpty)
    }

    @Test func aBilledAmountWithMoreDigitsThanTheCurrencyIsAnErrorAtClose() {
        #expect(throws: CloseError.billedAmountNotInMinorUnits(account: "acct-1", meter: "calls", period: "2026-10",
                                                                amount: "0.125", currency: usd)) {
            try BilledRow(account: "acct-1", meter: "calls", period: "2026-10", dimensions: "{}", latestVersion: 1,
                          quantity: "125", amount: "0.125", currency: "USD")
        }
    }
}
