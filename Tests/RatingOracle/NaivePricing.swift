public import MeteringCore

/// DESIGN §3 read literally, on `NaiveDecimal`: the reference the property tests compare
/// `Charge.rate` with. Written for clarity, not speed, and independently of the rater
/// (tiers are walked by their lower and upper bounds; volume looks for the tier whose
/// interval holds q').
public enum NaivePricing {
    /// The exact amount, minimum applied (the charge is assumed valid).
    public static func exactAmount(_ charge: Charge, quantity: ExactDecimal) -> NaiveDecimal {
        let q = NaiveDecimal(quantity) - NaiveDecimal(charge.includedQuantity)
        let billable = q < .zero ? NaiveDecimal.zero : q
        var amount = amountBeforeMinimum(charge.model, billable: billable)
        if let minimum = charge.minimum, amount < NaiveDecimal(minimum) { amount = NaiveDecimal(minimum) }
        return amount
    }

    /// The line text the rater must print, or nil when it must report `amountOutOfRange`.
    public static func ratedText(_ charge: Charge, quantity: ExactDecimal, currency: Currency) -> String? {
        exactAmount(charge, quantity: quantity).roundedText(fractionDigits: currency.minorUnits)
    }

    private static func amountBeforeMinimum(_ model: PricingModel, billable q: NaiveDecimal) -> NaiveDecimal {
        switch model {
        case .unit(let unitPrice):
            return q * NaiveDecimal(unitPrice)
        case .graduated(let tiers):
            var total = NaiveDecimal.zero
            for (index, tier) in tiers.enumerated() {
                let lower = index == 0 ? NaiveDecimal.zero : NaiveDecimal(tiers[index - 1].upTo!)
                // Units in (lower, upper]: min(q, upper) − lower, when positive.
                var top = q
                if let upTo = tier.upTo, NaiveDecimal(upTo) < q { top = NaiveDecimal(upTo) }
                let units = top - lower
                if NaiveDecimal.zero < units {
                    total = total + units * NaiveDecimal(tier.unitPrice) + fee(tier)
                }
            }
            return total
        case .volume(let tiers):
            for (index, tier) in tiers.enumerated() {
                let lower = index == 0 ? nil : NaiveDecimal(tiers[index - 1].upTo!)
                let aboveLower = lower.map { $0 < q } ?? true
                let belowUpper = tier.upTo.map { q <= NaiveDecimal($0) } ?? true
                if aboveLower && belowUpper { return q * NaiveDecimal(tier.unitPrice) + fee(tier) }
            }
            preconditionFailure("no tier holds \(q.text)")
        case .package(let packageSize, let packagePrice):
            let packages = NaiveDecimal.ceilingQuotient(q, NaiveDecimal(packageSize))
            return packages * NaiveDecimal(packagePrice)
        case .flat(let amount):
            return NaiveDecimal(amount)
        }
    }

    private static func fee(_ tier: PriceTier) -> NaiveDecimal {
        tier.flatFee.map { NaiveDecimal($0) } ?? .zero
    }
}
