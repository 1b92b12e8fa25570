extension PricingModel {
    /// A short human description for invoice line names: `"unit 0.001"`, `"graduated"`,
    /// `"volume"`, `"package of 100 at 5"`, `"flat 10"`. Decimals print in their shortest exact
    /// form, without a currency (the line carries it).
    public var pricingDescription: String {
        switch self {
        case .unit(let unitPrice): "unit \(unitPrice)"
        case .graduated: "graduated"
        case .volume: "volume"
        case .package(let packageSize, let packagePrice): "package of \(packageSize) at \(packagePrice)"
        case .flat(let amount): "flat \(amount)"
        }
    }
}

extension Charge {
    /// The model's description plus what else shapes the amount:
    /// `"unit 0.001, 1000 included, minimum 5"`.
    public var pricingDescription: String {
        var text = model.pricingDescription
        if !includedQuantity.isZero { text += ", \(includedQuantity) included" }
        if let minimum { text += ", minimum \(minimum)" }
        return text
    }
}
