public import OdometerConfig

/// Removes secrets from text meant for people: every configured secret value (see
/// `OdometerConfiguration.secretValues`, and its percent-decoded form) and the password of
/// any `scheme://user:password@` URL become `***`. A plain value, thread-safe.
public struct SecretScrubber: Sendable {
    private let secrets: [String]

    /// Secrets shorter than 4 characters are not searched for: they would mangle ordinary
    /// text and a configuration that short is refused by no one but is not worth hiding.
    public init(secrets: [String]) {
        var all = Set(secrets)
        for secret in secrets { if let decoded = secret.removingPercentEncodingIfValid { all.insert(decoded) } }
        self.secrets = all.filter { $0.count >= 4 }.sorted { $0.count > $1.count }
    }

    public init(configuration: OdometerConfiguration) {
        self.init(secrets: configuration.secretValues)
    }

    public func scrub(_ text: String) -> String {
        var result = Self.redactingURLPasswords(text)
        for secret in secrets where result.contains(secret) {
            result = result.replacing(secret, with: "***")
        }
        return result
    }

    /// `postgres://user:secret@host/db` → `postgres://user:***@host/db`, wherever it appears.
    static func redactingURLPasswords(_ text: String) -> String {
        var output = ""
        var rest = Substring(text)
        while let scheme = rest.range(of: "://") {
            output += rest[..<scheme.upperBound]
            rest = rest[scheme.upperBound...]
            let authorityEnd = rest.firstIndex { $0 == "/" || $0 == " " || $0 == "\"" || $0 == "\n" } ?? rest.endIndex
            let authority = rest[..<authorityEnd]
            if let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") {
                output += authority[..<colon] + ":***" + authority[at...]
                rest = rest[authorityEnd...]
            }
        }
        return output + rest
    }
}

extension String {
    /// The percent-decoded text, if it has any escapes and they are valid UTF-8.
    fileprivate var removingPercentEncodingIfValid: String? {
        guard contains("%") else { return nil }
        var bytes: [UInt8] = []
        var iterator = utf8.makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%"), let high = iterator.next(), let low = iterator.next(),
               let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) {
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }
}
