import Foundation

/// `${NAME}` in a string value is replaced by the environment variable NAME, and
/// `${file:/path}` by the content of that file (trimmed), for secrets mounted as files. An
/// unset variable or an unreadable file is an error naming it and the line, never its value.
/// The environment and the file reader are injected, so parsing is pure in tests.
struct EnvironmentSubstitution: Sendable {
    let variables: [String: String]
    let readFile: @Sendable (String) -> String?

    func substitute(_ text: String, line: Int?, key: String) throws(ConfigurationError) -> String {
        guard text.contains("${") else { return text }
        var result = ""
        var rest = Substring(text)
        while let open = rest.range(of: "${") {
            result += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].firstIndex(of: "}") else {
                throw ConfigurationError(line: line, key: key, message: "has \"${\" without a closing \"}\"")
            }
            let name = String(rest[open.upperBound..<close])
            if name.hasPrefix("file:") {
                let path = String(name.dropFirst(5))
                guard let content = readFile(path) else {
                    throw ConfigurationError(line: line, key: key, message: "reads the secret file \(path), which cannot be read")
                }
                result += content.trimmingCharacters(in: .whitespacesAndNewlines)
            } else {
                guard !name.isEmpty, let value = variables[name] else {
                    throw ConfigurationError(line: line, key: key,
                                             message: "uses the environment variable \(name), which is not set")
                }
                result += value
            }
            rest = rest[rest.index(after: close)...]
        }
        return result + rest
    }
}
