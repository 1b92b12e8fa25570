/// A configuration that cannot be used, with the line and the dotted key path that is wrong
/// and what to do about it: "config line 12: `pipeline.flushIntervalMs` must be > 0".
/// Secret values never appear in the message.
public struct ConfigurationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// 1-based line in the YAML file; nil when the problem has no place (a missing section).
    public let line: Int?
    /// Dotted path with list indices, e.g. `plans[0].charges[1].tiers`; empty for the document.
    public let key: String
    public let message: String

    public init(line: Int?, key: String, message: String) {
        self.line = line
        self.key = key
        self.message = message
    }

    public var description: String {
        let place = line.map { "config line \($0)" } ?? "config"
        return key.isEmpty ? "\(place): \(message)" : "\(place): `\(key)` \(message)"
    }
}
