/// The `kafka`, `postgres`, `pipeline` and `http` sections.
enum ServiceSections {
    static func kafka(_ node: ConfigNode) throws(ConfigurationError) -> KafkaSettings {
        let members = try node.mapping(allowed: ["brokers", "topic", "group", "deadLetterTopic", "sessionTimeoutMs", "properties"])
        let topic = try members["topic"]?.nonEmptyString() ?? "usage"
        var settings = KafkaSettings(brokers: try members.required("brokers").nonEmptyString(), topic: topic,
                                     deadLetterTopic: try members["deadLetterTopic"]?.nonEmptyString() ?? "\(topic).dlq")
        settings.group = try members["group"]?.nonEmptyString() ?? settings.group
        settings.sessionTimeoutMs = try members["sessionTimeoutMs"]?.integer(in: 1000...3_600_000) ?? settings.sessionTimeoutMs
        if let properties = members["properties"] {
            for (key, value) in try properties.freeMapping() { settings.properties[key] = try value.string() }
        }
        if settings.deadLetterTopic == settings.topic {
            throw members["deadLetterTopic"]!.error("must differ from `kafka.topic`, or bad events would be read again")
        }
        return settings
    }

    static func postgres(_ node: ConfigNode) throws(ConfigurationError) -> PostgresSettings {
        let members = try node.mapping(allowed: ["url"])
        let url = try members.required("url")
        let text = try url.nonEmptyString()
        guard text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") else {
            throw url.error("must be a URL like \"postgres://user@host:5432/database\"")
        }
        return PostgresSettings(url: text)
    }

    static func pipeline(_ node: ConfigNode) throws(ConfigurationError) -> PipelineSettings {
        let members = try node.mapping(allowed: ["shards", "flushIntervalMs", "flushMaxKeys", "dedupWindow", "dedupMemory",
                                                 "shutdownTimeout", "accountsRefreshMs"])
        var settings = PipelineSettings()
        settings.shards = try members["shards"]?.integer(in: 1...64) ?? settings.shards
        settings.flushIntervalMs = try members["flushIntervalMs"].map { node throws(ConfigurationError) in
            let value = try node.integer(in: .min ... .max)
            guard value > 0 else { throw node.error("must be > 0") }
            guard value <= 3_600_000 else { throw node.error("must be at most 3600000 (one hour)") }
            return value
        } ?? settings.flushIntervalMs
        settings.flushMaxKeys = try members["flushMaxKeys"]?.integer(in: 1 ... .max) ?? settings.flushMaxKeys
        if let window = members["dedupWindow"] {
            if try window.string() == "off" {
                settings.dedupWindow = nil
            } else {
                let duration = try window.duration()
                guard duration > .zero else { throw window.error("must be > 0, or `off` to turn dedup off") }
                settings.dedupWindow = duration
            }
        }
        if let memory = members["dedupMemory"] {
            guard let bytes = ByteSizeText.parse(try memory.nonEmptyString()), bytes >= 1 << 20 else {
                throw memory.error("must be a size of at least 1MiB, e.g. \"256MiB\" or \"2GiB\"")
            }
            settings.dedupMemoryBytes = bytes
        }
        settings.accountsRefreshMs = try members["accountsRefreshMs"]?.integer(in: 100...3_600_000) ?? settings.accountsRefreshMs
        if let timeout = members["shutdownTimeout"] {
            settings.shutdownTimeout = try timeout.duration()
            guard settings.shutdownTimeout > .zero else { throw timeout.error("must be > 0") }
        }
        return settings
    }

    static func http(_ node: ConfigNode) throws(ConfigurationError) -> HTTPSettings {
        let members = try node.mapping(allowed: ["listen", "token"])
        var settings = HTTPSettings()
        if let listen = members["listen"] {
            let text = try listen.nonEmptyString()
            guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
                  (0...65535).contains(port), colon != text.startIndex else {
                throw listen.error("must be host:port, e.g. \"127.0.0.1:8080\"")
            }
            settings.listen = text
        }
        settings.token = try members["token"]?.nonEmptyString()
        return settings
    }
}
