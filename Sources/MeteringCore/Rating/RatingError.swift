/// Why a charge could not price a quantity. Nothing is ever wrapped, clamped or rounded away
/// to avoid one of these. Tier indices are 0-based, as in configuration key paths
/// (`tiers[1]`). Value type; thread-safe.
public enum RatingError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The period's total needs more than 18 integer digits.
    case quantityOutOfRange(meter: String, quantity: String)
    /// The rounded amount needs more than 18 integer digits; `exactAmount` is the unrounded value.
    case amountOutOfRange(meter: String, exactAmount: String, currency: String)
    /// A price, fee, tier bound, package size, included quantity or minimum needs more than
    /// 18 integer digits. `setting` is its key, e.g. `tiers[1].unitPrice`.
    case settingOutOfRange(meter: String, setting: String, value: String)
    /// A graduated or volume price has no tiers.
    case noTiers(meter: String)
    /// A tier other than the last has no `upTo`.
    case tierWithoutUpTo(meter: String, tier: Int)
    /// The last tier has an `upTo`, so larger quantities would have no price.
    case lastTierHasUpTo(meter: String, tier: Int)
    /// A tier's `upTo` is not above the previous tier's (or, for the first tier, not above 0).
    case tiersNotAscending(meter: String, tier: Int)
    /// `packageSize` is zero or negative.
    case packageSizeNotPositive(meter: String, packageSize: String)
    /// `includedQuantity` is negative.
    case includedQuantityNegative(meter: String, includedQuantity: String)

    public var description: String {
        switch self {
        case .quantityOutOfRange(let meter, let quantity):
            "meter `\(meter)`: the period's total \(quantity) is beyond 18 integer digits and cannot be rated; "
                + "check the producers' values or use a meter with a smaller unit"
        case .amountOutOfRange(let meter, let exactAmount, let currency):
            "meter `\(meter)`: the amount \(exactAmount) \(currency) is beyond 18 integer digits; "
                + "check the charge's prices"
        case .settingOutOfRange(let meter, let setting, let value):
            "charge for meter `\(meter)`: `\(setting)` = \(value) is beyond 18 integer digits"
        case .noTiers(let meter):
            "charge for meter `\(meter)`: `tiers` must list at least one tier"
        case .tierWithoutUpTo(let meter, let tier):
            "charge for meter `\(meter)`: `tiers[\(tier)]` needs `upTo`; only the last tier may omit it"
        case .lastTierHasUpTo(let meter, let tier):
            "charge for meter `\(meter)`: the last tier `tiers[\(tier)]` must not have `upTo`, "
                + "so that every quantity has a price; add a final tier without `upTo`"
        case .tiersNotAscending(let meter, let tier):
            tier == 0
                ? "charge for meter `\(meter)`: `tiers[0].upTo` must be greater than 0"
                : "charge for meter `\(meter)`: `tiers[\(tier)].upTo` must be greater than "
                    + "`tiers[\(tier - 1)].upTo` (tiers are strictly ascending)"
        case .packageSizeNotPositive(let meter, let packageSize):
            "charge for meter `\(meter)`: `packageSize` must be greater than 0, not \(packageSize)"
        case .includedQuantityNegative(let meter, let includedQuantity):
            "charge for meter `\(meter)`: `includedQuantity` must be 0 or more, not \(includedQuantity)"
        }
    }
}
