import Foundation
internal import Yams

/// A YAML node with its place (line and key path), read strictly: every accessor names the
/// key and line when the node is not what is expected. `${NAME}` in string scalars is replaced
/// from the injected environment (see `EnvironmentSubstitution`).
struct ConfigNode {
    let node: Node
    let path: String
    let environment: EnvironmentSubstitution

    var line: Int? { node.mark?.line }

    func error(_ message: String) -> ConfigurationError {
        ConfigurationError(line: line, key: path, message: message)
    }

    private func child(_ node: Node, _ component: String) -> ConfigNode {
        ConfigNode(node: node, path: path.isEmpty ? component : "\(path).\(component)", environment: environment)
    }

    /// The members of a mapping, refusing unknown and duplicate keys.
    func mapping(allowed: Set<String>) throws(ConfigurationError) -> Members {
        guard case .mapping(let mapping) = node else { throw error("must be a mapping of keys to values") }
        var members: [String: ConfigNode] = [:]
        for (keyNode, value) in mapping {
            guard case .scalar(let key) = keyNode else {
                throw ConfigurationError(line: keyNode.mark?.line, key: path, message: "has a key that is not text")
            }
            let member = child(value, key.string)
            guard allowed.contains(key.string) else {
                let known = allowed.sorted().map { "`\($0)`" }.joined(separator: ", ")
                throw ConfigurationError(line: keyNode.mark?.line, key: member.path,
                                         message: "is not a known key here; known keys: \(known)")
            }
            guard members[key.string] == nil else {
                throw ConfigurationError(line: keyNode.mark?.line, key: member.path, message: "is given twice")
            }
            members[key.string] = member
        }
        return Members(owner: self, members: members)
    }

    /// A mapping whose keys are free (groupBy, kafka.properties), in document order.
    func freeMapping() throws(ConfigurationError) -> [(key: String, value: ConfigNode)] {
        guard case .mapping(let mapping) = node else { throw error("must be a mapping of keys to values") }
        var result: [(key: String, value: ConfigNode)] = []
        for (keyNode, value) in mapping {
            guard case .scalar(let key) = keyNode else {
                throw ConfigurationError(line: keyNode.mark?.line, key: path, message: "has a key that is not text")
            }
            guard !result.contains(where: { $0.key == key.string }) else {
                throw ConfigurationError(line: keyNode.mark?.line, key: "\(path).\(key.string)", message: "is given twice")
            }
            result.append((key.string, child(value, key.string)))
        }
        return result
    }

    func sequence() throws(ConfigurationError) -> [ConfigNode] {
        guard case .sequence(let sequence) = node else { throw error("must be a list") }
        return sequence.enumerated().map {
            ConfigNode(node: $0.element, path: "\(path)[\($0.offset)]", environment: environment)
        }
    }

    /// The scalar's text as written, before substitution (for messages that may show it).
    var rawText: String? {
        if case .scalar(let scalar) = node { return scalar.string }
        return nil
    }

    /// A text value, `${NAME}` substituted. Quoted or plain; null is refused.
    func string() throws(ConfigurationError) -> String {
        guard case .scalar(let scalar) = node else { throw error("must be a text value") }
        if scalar.style == .plain && ["~", "null", "Null", "NULL", ""].contains(scalar.string) {
            throw error("must have a value")
        }
        return try environment.substitute(scalar.string, line: line, key: path)
    }

    func nonEmptyString() throws(ConfigurationError) -> String {
        let value = try string()
        guard !value.isEmpty else { throw error("must not be empty") }
        return value
    }

    func integer(in range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        guard let value = Int(try string()) else { throw error("must be a whole number") }
        guard range.contains(value) else {
            throw error(range.upperBound == .max ? "must be ≥ \(range.lowerBound)" : "must be between \(range.lowerBound) and \(range.upperBound)")
        }
        return value
    }

    func bool() throws(ConfigurationError) -> Bool {
        switch try string() {
        case "true": return true
        case "false": return false
        default: throw error("must be true or false")
        }
    }

    /// A duration such as "500ms", "30s", "5m", "1h", "24h" or "7d".
    func duration() throws(ConfigurationError) -> Duration {
        let text = try string()
        guard let duration = DurationText.parse(text) else {
            throw error("must be a duration such as \"500ms\", \"30s\", \"5m\", \"1h\" or \"7d\"")
        }
        return duration
    }
}

/// The members of one mapping, read by name.
struct Members {
    let owner: ConfigNode
    let members: [String: ConfigNode]

    subscript(_ key: String) -> ConfigNode? { members[key] }

    func required(_ key: String) throws(ConfigurationError) -> ConfigNode {
        guard let member = members[key] else {
            throw ConfigurationError(line: owner.line, key: owner.path.isEmpty ? key : "\(owner.path).\(key)",
                                     message: "is required")
        }
        return member
    }
}
