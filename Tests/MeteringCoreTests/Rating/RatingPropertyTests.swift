import Testing
@testable import MeteringCore
import RatingOracle

/// Seeded random charges and quantities: `rate` must equal the naive reference exactly, and
/// must not depend on the order in which the total was summed.
struct RatingPropertyTests {
    private static let currencies = ["JPY", "USD", "BHD", "CLF"].map { Currency(code: $0)! }

    @Test(arguments: [UInt64(1), 2, 3, 4])
    func rateEqualsTheNaiveReferenceExactly(seed: UInt64) throws {
        var random = RatingTestRandom(seed: seed)
        var outOfRange = 0
        for _ in 0..<500 {
            let charge = Self.randomCharge(&random)
            let quantity = Self.randomQuantity(for: charge, &random)
            let currency = Self.currencies.randomElement(using: &random)!
            let expected = NaivePricing.ratedText(charge, quantity: quantity, currency: currency)
            let exact = NaivePricing.exactAmount(charge, quantity: quantity)
            #expect(try charge.exactAmount(quantity: quantity, in: currency).text == exact.text,
                    "\(charge) q=\(quantity)")
            do {
                let rated = try charge.rate(quantity: quantity, in: currency)
                #expect(rated.text == expected, "\(charge) q=\(quantity) \(currency)")
            } catch {
                outOfRange += 1
                #expect(expected == nil, "\(charge) q=\(quantity) \(currency): \(error)")
                #expect(error == .amountOutOfRange(meter: "m", exactAmount: exact.text, currency: currency.code))
            }
        }
        // The generator reaches the overflow path, but most cases are ordinary.
        #expect(outOfRange > 0 && outOfRange < 100, "out of range: \(outOfRange)")
    }

    @Test(arguments: [UInt64(11), 12, 13])
    func ratingIsIndependentOfTheOrderOfSummation(seed: UInt64) throws {
        var random = RatingTestRandom(seed: seed)
        let usd = Currency(code: "USD")!
        for _ in 0..<100 {
            let charge = Self.randomCharge(&random, priceDigits: 4)
            let events = (0..<Int.random(in: 1...40, using: &random)).map { _ in
                random.decimal(integerDigits: 6, allowNegative: Int.random(in: 0..<10, using: &random) == 0)
            }
            let forward = try Self.sum(events)
            let backward = try Self.sum(events.reversed())
            let shuffled = try Self.sum(events.shuffled(using: &random))
            let halves = try Self.sum(Array(events.prefix(events.count / 2)))
                .adding(try Self.sum(Array(events.dropFirst(events.count / 2))))
            #expect(Set([forward, backward, shuffled, halves]).count == 1)
            let naiveTotal = events.reduce(NaiveDecimal.zero) { $0 + NaiveDecimal($1) }
            #expect(NaiveDecimal(forward) == naiveTotal)

            let amount = try charge.rate(quantity: forward, in: usd)
            #expect(try charge.rate(quantity: shuffled, in: usd) == amount)
            #expect(try charge.rate(quantity: halves, in: usd) == amount)
            #expect(amount.text == NaivePricing.ratedText(charge, quantity: forward, currency: usd))
        }
    }

    private static func sum(_ values: some Sequence<ExactDecimal>) throws -> ExactDecimal {
        try values.reduce(.zero) { (total: ExactDecimal, value: ExactDecimal) throws in try total.adding(value) }
    }

    /// A valid charge of a random model; prices have up to `priceDigits` integer digits
    /// (sometimes 17, to reach amounts beyond 18 integer digits).
    static func randomCharge(_ random: inout RatingTestRandom, priceDigits: Int? = nil) -> Charge {
        let digits = priceDigits ?? (Int.random(in: 0..<8, using: &random) == 0 ? 17 : 6)
        let model: PricingModel
        switch Int.random(in: 0..<5, using: &random) {
        case 0: model = .unit(unitPrice: randomPrice(&random, digits: digits))
        case 1: model = .graduated(tiers: randomTiers(&random, priceDigits: digits))
        case 2: model = .volume(tiers: randomTiers(&random, priceDigits: digits))
        case 3:
            var size = random.decimal(integerDigits: 4)
            if size.isZero { size = ExactDecimal(raw: 1) }
            model = .package(packageSize: size, packagePrice: randomPrice(&random, digits: digits))
        default: model = .flat(amount: randomPrice(&random, digits: digits))
        }
        let included = Bool.random(using: &random) ? random.decimal(integerDigits: 4) : .zero
        let minimum = Int.random(in: 0..<4, using: &random) == 0 ? random.decimal(integerDigits: 5) : nil
        return Charge(meter: "m", model: model, includedQuantity: included, minimum: minimum)
    }

    /// Occasionally negative (a credit).
    private static func randomPrice(_ random: inout RatingTestRandom, digits: Int) -> ExactDecimal {
        let negative = Int.random(in: 0..<20, using: &random) == 0
        return random.decimal(integerDigits: digits, allowNegative: negative)
    }

    private static func randomTiers(_ random: inout RatingTestRandom, priceDigits: Int) -> [PriceTier] {
        var tiers: [PriceTier] = []
        var upTo = ExactDecimal.zero
        for _ in 0..<Int.random(in: 0...4, using: &random) {
            var step = random.decimal(integerDigits: 5)
            if step.isZero { step = ExactDecimal(raw: 1) }
            upTo = ExactDecimal(raw: upTo.raw + step.raw)
            let fee = Bool.random(using: &random) ? randomPrice(&random, digits: priceDigits) : nil
            tiers.append(PriceTier(upTo: upTo, unitPrice: randomPrice(&random, digits: priceDigits), flatFee: fee))
        }
        let fee = Bool.random(using: &random) ? randomPrice(&random, digits: priceDigits) : nil
        tiers.append(PriceTier(upTo: nil, unitPrice: randomPrice(&random, digits: priceDigits), flatFee: fee))
        return tiers
    }

    /// Often a tier boundary, the included quantity or a package multiple, ±10⁻¹²; otherwise
    /// anything from slightly negative to the top of the range.
    static func randomQuantity(for charge: Charge, _ random: inout RatingTestRandom) -> ExactDecimal {
        var anchors = [ExactDecimal.zero]   // in q' terms; the included quantity is added below
        switch charge.model {
        case .graduated(let tiers), .volume(let tiers): anchors += tiers.compactMap(\.upTo)
        case .package(let size, _): anchors.append(ExactDecimal(raw: size.raw * Int128.random(in: 0...5, using: &random)))
        default: break
        }
        let quantity: ExactDecimal
        switch Int.random(in: 0..<4, using: &random) {
        case 0:
            let anchor = anchors.randomElement(using: &random)!.raw + charge.includedQuantity.raw
            quantity = ExactDecimal(raw: anchor + Int128.random(in: -1...1, using: &random))
        case 1: quantity = random.decimal(integerDigits: 17)
        case 2: quantity = random.decimal(integerDigits: 2, allowNegative: true)
        default: quantity = random.decimal(integerDigits: 7)
        }
        return quantity
    }
}
