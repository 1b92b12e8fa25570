extension OdometerConfiguration {
    /// Every secret value of this configuration: the admin token, the destinations' API keys,
    /// the Postgres password, and librdkafka properties that carry credentials (`sasl.*`,
    /// anything with `password`, `secret` or `key` in its name but `.location` files). Text
    /// meant for people (responses, logs, errors) must contain none of them.
    public var secretValues: [String] {
        var secrets: [String] = []
        if let token = http.token { secrets.append(token) }
        for destination in billing.destinations {
            switch destination {
            case .stripe(_, let apiKey, _, _), .lago(_, let apiKey, _), .odoo(_, _, _, let apiKey, _, _, _, _):
                secrets.append(apiKey)
            }
        }
        if let password = Self.password(inURL: postgres.url) { secrets.append(password) }
        for (name, value) in kafka.properties {
            let lowered = name.lowercased()
            let credential = lowered.hasPrefix("sasl.") || ["password", "secret", "key"].contains { lowered.contains($0) }
            if credential, !lowered.hasSuffix(".location"), !lowered.hasSuffix(".mechanism"),
               !lowered.hasSuffix(".mechanisms") {
                secrets.append(value)
            }
        }
        return secrets.filter { !$0.isEmpty }
    }

    /// The password of `scheme://user:password@host…`, as written (percent-encoded or not).
    static func password(inURL text: String) -> String? {
        guard let scheme = text.range(of: "://"), let at = text[scheme.upperBound...].lastIndex(of: "@") else { return nil }
        let credentials = text[scheme.upperBound..<at]
        guard let colon = credentials.firstIndex(of: ":") else { return nil }
        return String(credentials[credentials.index(after: colon)...])
    }
}
