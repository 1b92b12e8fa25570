import MeteringCore

/// The `accounts` list. An account needs only `id` and `plan`; its time zone defaults to UTC.
enum AccountSection {
    static func read(_ node: ConfigNode, plans: Set<String>) throws(ConfigurationError) -> [Account] {
        var accounts: [Account] = []
        var seen: Set<String> = []
        for item in try node.sequence() {
            let members = try item.mapping(allowed: ["id", "plan", "timezone", "odooPartnerRef", "stripeCustomer",
                                                     "lagoSubscription"])
            let idNode = try members.required("id")
            let id = try idNode.nonEmptyString()
            guard seen.insert(id).inserted else { throw idNode.error("repeats account \"\(id)\"") }
            let planNode = try members.required("plan")
            let plan = try planNode.nonEmptyString()
            guard plans.contains(plan) else { throw planNode.error("names plan \"\(plan)\", which `plans` does not define") }
            var timeZone = "UTC"
            if let zoneNode = members["timezone"] {
                timeZone = try zoneNode.nonEmptyString()
                guard AccountValidation.isKnownTimeZone(timeZone) else {
                    throw zoneNode.error("is \"\(timeZone)\", which is not an IANA time zone (e.g. Europe/Berlin)")
                }
            }
            accounts.append(Account(id: id, plan: plan, timeZone: timeZone,
                                    odooPartnerRef: try members["odooPartnerRef"]?.nonEmptyString(),
                                    stripeCustomer: try members["stripeCustomer"]?.nonEmptyString(),
                                    lagoSubscription: try members["lagoSubscription"]?.nonEmptyString()))
        }
        return accounts
    }
}

/// Checks shared by the YAML accounts and the CSV import.
enum AccountValidation {
    static func isKnownTimeZone(_ identifier: String) -> Bool {
        (try? PeriodCalendar(timeZone: identifier)) != nil
    }
}
