extension Charge {
    /// Prices the period's total quantity of one (account, meter, period, dimensions) row:
    /// exact, then rounded once (DESIGN §3).
    ///
    /// - `q' = max(q − includedQuantity, 0)`, for every model. A negative total (a MIN or
    ///   LATEST meter, or a SUM of credits) therefore prices like zero: `unit`, `graduated`
    ///   and `package` give 0, `volume` gives the first tier's flat fee, `flat` its amount;
    ///   then `minimum` applies. Credits are modelled with negative prices, not by rating
    ///   negative usage; corrections of a closed period are deltas of rated amounts (§6).
    /// - The amount is a pure function of the total, so it does not depend on the order in
    ///   which events were summed.
    /// - `minimum` lifts the exact amount, before the single half-even rounding to the
    ///   currency's minor unit.
    ///
    /// Throws when the charge is invalid (`validate()`), when `quantity` needs more than 18
    /// integer digits, or when the rounded amount does. Pure; thread-safe.
    public func rate(quantity: ExactDecimal, in currency: Currency) throws(RatingError) -> RatedAmount {
        let exact = try exactAmount(quantity: quantity, in: currency)
        guard let rounded = exact.rounded(in: currency) else {
            throw .amountOutOfRange(meter: meter, exactAmount: exact.text, currency: currency.code)
        }
        return RatedAmount(value: rounded, currency: currency)
    }

    /// The amount before rounding, minimum applied. `currency` only names the error.
    func exactAmount(quantity: ExactDecimal, in currency: Currency) throws(RatingError) -> ExactAmount {
        try validate()
        guard quantity.isInContractRange else {
            throw .quantityOutOfRange(meter: meter, quantity: quantity.description)
        }
        // Both operands are below 10¹⁸ in magnitude, so the Int128 difference cannot overflow.
        let billable = Swift.max(ExactDecimal(raw: quantity.raw - includedQuantity.raw), .zero)
        var amount: ExactAmount
        do {
            amount = try model.exactAmount(billable: billable)
        } catch {
            // Unreachable for a valid charge (see `validate()`); reported, never wrapped.
            throw .amountOutOfRange(meter: meter, exactAmount: "beyond ±5.7 × 10^52", currency: currency.code)
        }
        if let minimum {
            amount = Swift.max(amount, ExactAmount(minimum))
        }
        return amount
    }
}

extension PricingModel {
    /// The exact amount for `billable` units (`q'`, already ≥ 0) of a validated model.
    func exactAmount(billable: ExactDecimal) throws(ArithmeticOverflow) -> ExactAmount {
        switch self {
        case .unit(let unitPrice):
            return .product(billable, unitPrice)
        case .graduated(let tiers):
            return try Self.graduatedAmount(billable: billable, tiers: tiers)
        case .volume(let tiers):
            // The first tier whose upTo is at or above q'; q' = 0 falls in the first tier.
            let tier = tiers.first { $0.upTo.map { billable <= $0 } ?? true } ?? tiers[tiers.count - 1]
            return try ExactAmount.product(billable, tier.unitPrice).adding(ExactAmount(tier.flatFee ?? .zero))
        case .package(let packageSize, let packagePrice):
            let (whole, remainder) = billable.raw.quotientAndRemainder(dividingBy: packageSize.raw)
            let packages = remainder == 0 ? whole : whole + 1
            return try .product(count: packages, price: packagePrice)
        case .flat(let amount):
            return ExactAmount(amount)
        }
    }

    /// Each tier prices the units in (previous upTo, upTo]; a tier that holds any units
    /// also charges its flat fee once.
    private static func graduatedAmount(billable: ExactDecimal, tiers: [PriceTier]) throws(ArithmeticOverflow)
        -> ExactAmount
    {
        var total = ExactAmount.zero
        var lower = ExactDecimal.zero
        for tier in tiers {
            guard billable > lower else { break }
            let upper = tier.upTo.map { Swift.min($0, billable) } ?? billable
            let units = ExactDecimal(raw: upper.raw - lower.raw)
            total = try total.adding(.product(units, tier.unitPrice))
            if let flatFee = tier.flatFee { total = try total.adding(ExactAmount(flatFee)) }
            lower = upper
        }
        return total
    }
}
