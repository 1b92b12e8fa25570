import MeteringCore

/// The `plans` list: currencies, and one charge per priced meter.
enum PlanSection {
    static func read(_ node: ConfigNode, meters: [Meter]) throws(ConfigurationError) -> [Plan] {
        var plans: [Plan] = []
        for item in try node.sequence() {
            let members = try item.mapping(allowed: ["key", "currency", "charges"])
            let keyNode = try members.required("key")
            let key = try keyNode.nonEmptyString()
            guard !plans.contains(where: { $0.key == key }) else { throw keyNode.error("repeats plan \"\(key)\"") }
            let currencyNode = try members.required("currency")
            let code = try currencyNode.nonEmptyString()
            guard let currency = Currency(code: code) else {
                throw currencyNode.error("is \"\(code)\", which is not an ISO 4217 currency code (e.g. USD, EUR, JPY)")
            }
            var charges: [Charge] = []
            for chargeNode in try members.required("charges").sequence() {
                let charge = try self.charge(chargeNode, meters: meters)
                guard !charges.contains(where: { $0.meter == charge.meter }) else {
                    throw chargeNode.error("charges meter \"\(charge.meter)\" a second time in plan \"\(key)\"")
                }
                charges.append(charge)
            }
            plans.append(Plan(key: key, currency: currency, charges: charges))
        }
        return plans
    }

    private static func charge(_ node: ConfigNode, meters: [Meter]) throws(ConfigurationError) -> Charge {
        let members = try node.mapping(allowed: ["meter", "model", "unitPrice", "tiers", "packageSize", "packagePrice",
                                                 "amount", "includedQuantity", "minimum"])
        let meterNode = try members.required("meter")
        let meter = try meterNode.nonEmptyString()
        guard meters.contains(where: { $0.slug == meter }) else {
            throw meterNode.error("names meter \"\(meter)\", which `meters` does not define")
        }
        let modelNode = try members.required("model")
        let allowedFields: Set<String>
        let model: PricingModel
        switch try modelNode.string() {
        case "unit":
            allowedFields = ["unitPrice"]
            model = .unit(unitPrice: try members.required("unitPrice").decimal())
        case "graduated":
            allowedFields = ["tiers"]
            model = .graduated(tiers: try tiers(try members.required("tiers")))
        case "volume":
            allowedFields = ["tiers"]
            model = .volume(tiers: try tiers(try members.required("tiers")))
        case "package":
            allowedFields = ["packageSize", "packagePrice"]
            let size = try members.required("packageSize")
            let sizeValue = try size.decimal()
            guard sizeValue > .zero else { throw size.error("must be > 0") }
            model = .package(packageSize: sizeValue, packagePrice: try members.required("packagePrice").decimal())
        case "flat":
            allowedFields = ["amount"]
            model = .flat(amount: try members.required("amount").decimal())
        default:
            throw modelNode.error("must be one of unit, graduated, volume, package, flat")
        }
        for field in ["unitPrice", "tiers", "packageSize", "packagePrice", "amount"] where !allowedFields.contains(field) {
            if let extra = members[field] { throw extra.error("does not apply to the \(model.name) model: remove it") }
        }
        var included = ExactDecimal.zero
        if let includedNode = members["includedQuantity"] {
            included = try includedNode.decimal()
            guard !included.isNegative else { throw includedNode.error("must be ≥ 0") }
        }
        let charge = Charge(meter: meter, model: model, includedQuantity: included,
                            minimum: try members["minimum"]?.decimal())
        do {
            try charge.validate()
        } catch {
            throw node.error("is not a valid charge: \(error)")
        }
        return charge
    }

    private static func tiers(_ node: ConfigNode) throws(ConfigurationError) -> [PriceTier] {
        let items = try node.sequence()
        guard !items.isEmpty else { throw node.error("must list at least one tier") }
        var tiers: [PriceTier] = []
        for (index, item) in items.enumerated() {
            let members = try item.mapping(allowed: ["upTo", "unitPrice", "flatFee"])
            let upToNode = members["upTo"]
            let upTo = try upToNode?.decimal()
            if let upTo, let upToNode {
                guard index < items.count - 1 else {
                    throw upToNode.error("is set on the last tier; the last tier has no `upTo`, so every quantity has a price")
                }
                if let previous = tiers.last?.upTo, upTo <= previous {
                    throw upToNode.error("must be greater than the tier before (\(previous)): tiers must ascend")
                }
                guard upTo > .zero else { throw upToNode.error("must be > 0") }
            } else if index < items.count - 1 {
                throw ConfigurationError(line: item.line, key: "\(item.path).upTo",
                                         message: "is required on every tier but the last")
            }
            tiers.append(PriceTier(upTo: upTo, unitPrice: try members.required("unitPrice").decimal(),
                                   flatFee: try members["flatFee"]?.decimal()))
        }
        return tiers
    }
}
