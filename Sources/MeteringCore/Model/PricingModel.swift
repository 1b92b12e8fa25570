/// One tier of a graduated or volume price. `upTo` is inclusive; the last tier has none.
public struct PriceTier: Hashable, Sendable {
    public let upTo: ExactDecimal?
    public let unitPrice: ExactDecimal
    /// Charged once for the tier (graduated: when any quantity above zero falls in it;
    /// volume: when the quantity belongs to it).
    public let flatFee: ExactDecimal?

    public init(upTo: ExactDecimal?, unitPrice: ExactDecimal, flatFee: ExactDecimal? = nil) {
        self.upTo = upTo
        self.unitPrice = unitPrice
        self.flatFee = flatFee
    }
}

/// How a charge turns a period's total quantity into an amount (DESIGN §3).
public enum PricingModel: Hashable, Sendable {
    /// `q' × unitPrice`.
    case unit(unitPrice: ExactDecimal)
    /// Each tier prices only the units inside it.
    case graduated(tiers: [PriceTier])
    /// All units at the tier that contains `q'`, plus its flat fee.
    case volume(tiers: [PriceTier])
    /// `ceil(q' / packageSize) × packagePrice`.
    case package(packageSize: ExactDecimal, packagePrice: ExactDecimal)
    /// `amount` once per row that has any event.
    case flat(amount: ExactDecimal)

    /// The name used in configuration and in invoice line descriptions.
    public var name: String {
        switch self {
        case .unit: "unit"
        case .graduated: "graduated"
        case .volume: "volume"
        case .package: "package"
        case .flat: "flat"
        }
    }
}

/// A plan's price for one meter.
public struct Charge: Hashable, Sendable {
    public let meter: String
    public let model: PricingModel
    /// Taken off the total before pricing: `q' = max(q − included, 0)`.
    public let includedQuantity: ExactDecimal
    /// The line amount is at least this.
    public let minimum: ExactDecimal?

    public init(meter: String, model: PricingModel, includedQuantity: ExactDecimal = .zero, minimum: ExactDecimal? = nil) {
        self.meter = meter
        self.model = model
        self.includedQuantity = includedQuantity
        self.minimum = minimum
    }
}

/// A price plan: one currency, one charge per priced meter.
public struct Plan: Hashable, Sendable {
    public let key: String
    public let currency: Currency
    public let charges: [Charge]

    public init(key: String, currency: Currency, charges: [Charge]) {
        self.key = key
        self.currency = currency
        self.charges = charges
    }

    /// The charge for `meter`, if the plan prices it.
    public func charge(for meter: String) -> Charge? { charges.first { $0.meter == meter } }
}
