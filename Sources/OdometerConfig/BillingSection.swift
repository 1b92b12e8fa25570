/// The `billing` section: period, grace period and destinations.
///
/// `rateLimitPerSecond` defaults per kind: Stripe 80 (its live limit is 100 operations/s),
/// Lago 500 (its event endpoints' limit per organization), Odoo 20 calls/s (Odoo publishes no
/// limit; each call carries a whole batch of invoices).
enum BillingSection {
    static func read(_ node: ConfigNode) throws(ConfigurationError) -> BillingSettings {
        let members = try node.mapping(allowed: ["period", "gracePeriod", "destinations"])
        var settings = BillingSettings()
        if let period = members["period"] {
            guard try period.string() == "month" else { throw period.error("must be \"month\" (calendar months)") }
        }
        settings.gracePeriod = try members["gracePeriod"]?.duration() ?? settings.gracePeriod
        if let destinations = members["destinations"] {
            for item in try destinations.sequence() {
                let destination = try self.destination(item)
                guard !settings.destinations.contains(where: { $0.kind == destination.kind }) else {
                    throw item.error("is a second \(destination.kind) destination; one of each kind is supported")
                }
                settings.destinations.append(destination)
            }
        }
        return settings
    }

    private static func destination(_ node: ConfigNode) throws(ConfigurationError) -> DestinationSettings {
        // Read the kind first, then every key again against what that kind accepts.
        let any = try node.mapping(allowed: ["kind", "url", "apiKey", "database", "login", "protocol", "post",
                                             "createPartners", "mode", "rateLimitPerSecond"])
        let kindNode = try any.required("kind")
        let kind = try kindNode.string()
        let allowed: Set<String>
        switch kind {
        case "stripe": allowed = ["kind", "url", "apiKey", "mode", "rateLimitPerSecond"]
        case "lago": allowed = ["kind", "url", "apiKey", "rateLimitPerSecond"]
        case "odoo": allowed = ["kind", "url", "apiKey", "database", "login", "protocol", "post", "createPartners",
                                "rateLimitPerSecond"]
        default: throw kindNode.error("must be stripe, lago or odoo")
        }
        let members = try node.mapping(allowed: allowed)
        let urlNode = try members.required("url")
        let url = try urlNode.nonEmptyString()
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
            throw urlNode.error("must start with http:// or https://")
        }
        let apiKey = try members.required("apiKey").nonEmptyString()
        switch kind {
        case "stripe":
            let modeNode = members["mode"]
            let mode = try modeNode.map { node throws(ConfigurationError) in
                guard let mode = DestinationSettings.StripeMode(rawValue: try node.string()) else {
                    throw node.error("must be invoiceitems or meter_events")
                }
                return mode
            } ?? .invoiceItems
            return .stripe(url: url, apiKey: apiKey, mode: mode,
                           rateLimitPerSecond: try members["rateLimitPerSecond"]?.integer(in: 1...100_000) ?? 80)
        case "lago":
            return .lago(url: url, apiKey: apiKey,
                         rateLimitPerSecond: try members["rateLimitPerSecond"]?.integer(in: 1...100_000) ?? 500)
        default:
            let protocolNode = members["protocol"]
            let odooProtocol = try protocolNode.map { node throws(ConfigurationError) in
                guard let value = DestinationSettings.OdooProtocolSetting(rawValue: try node.string()) else {
                    throw node.error("must be auto, jsonrpc or json2")
                }
                return value
            } ?? .auto
            return .odoo(url: url, database: try members.required("database").nonEmptyString(),
                         login: try members.required("login").nonEmptyString(), apiKey: apiKey,
                         protocol: odooProtocol, post: try members["post"]?.bool() ?? false,
                         createPartners: try members["createPartners"]?.bool() ?? false,
                         rateLimitPerSecond: try members["rateLimitPerSecond"]?.integer(in: 1...100_000) ?? 20)
        }
    }
}
