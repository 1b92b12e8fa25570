extension Charge {
    /// Checks that the charge can price every quantity in the contract range.
    ///
    /// Requires: every decimal setting within 18 integer digits; tiers non-empty, each `upTo`
    /// above the previous one (the first above 0), only the last tier without `upTo`;
    /// `packageSize > 0`; `includedQuantity ≥ 0`. Prices, fees and minimums may be negative
    /// (a credit). Configuration loading may call this to reject a plan at start; `rate` calls
    /// it too, so a charge built in code cannot crash the rater. Under these bounds no
    /// intermediate amount can leave the 256-bit range. O(number of tiers).
    public func validate() throws(RatingError) {
        try checkRange(includedQuantity, "includedQuantity")
        if includedQuantity.isNegative {
            throw .includedQuantityNegative(meter: meter, includedQuantity: includedQuantity.description)
        }
        if let minimum { try checkRange(minimum, "minimum") }

        switch model {
        case .unit(let unitPrice):
            try checkRange(unitPrice, "unitPrice")
        case .graduated(let tiers), .volume(let tiers):
            try validate(tiers)
        case .package(let packageSize, let packagePrice):
            try checkRange(packageSize, "packageSize")
            try checkRange(packagePrice, "packagePrice")
            if packageSize <= .zero {
                throw .packageSizeNotPositive(meter: meter, packageSize: packageSize.description)
            }
        case .flat(let amount):
            try checkRange(amount, "amount")
        }
    }

    private func validate(_ tiers: [PriceTier]) throws(RatingError) {
        guard !tiers.isEmpty else { throw .noTiers(meter: meter) }
        var previousUpTo = ExactDecimal.zero
        for (index, tier) in tiers.enumerated() {
            try checkRange(tier.unitPrice, "tiers[\(index)].unitPrice")
            if let flatFee = tier.flatFee { try checkRange(flatFee, "tiers[\(index)].flatFee") }
            let isLast = index == tiers.count - 1
            guard let upTo = tier.upTo else {
                if isLast { continue }
                throw .tierWithoutUpTo(meter: meter, tier: index)
            }
            try checkRange(upTo, "tiers[\(index)].upTo")
            if upTo <= previousUpTo { throw .tiersNotAscending(meter: meter, tier: index) }
            if isLast { throw .lastTierHasUpTo(meter: meter, tier: index) }
            previousUpTo = upTo
        }
    }

    /// `setting` is built only on failure: rating validates on every call and must not allocate.
    private func checkRange(_ value: ExactDecimal, _ setting: @autoclosure () -> String) throws(RatingError) {
        guard value.isInContractRange else {
            throw .settingOutOfRange(meter: meter, setting: setting(), value: value.description)
        }
    }
}
