/// A path into an event's `data` object, as configured: `$.tokens`, `$.usage.tokens`.
///
/// Segments are object member names; `$` is `data` itself. A member name may hold any
/// character but `.`; quote it with brackets (`$['a.b']`) when it does. Immutable, Sendable.
public struct JSONPath: Hashable, Sendable, CustomStringConvertible {
    /// The path exactly as configured; used in reason codes (`bad_value:$.tokens`).
    public let text: String
    /// Member names from the outermost inwards, as UTF-8 bytes of their decoded text.
    public let segments: [[UInt8]]

    public init(_ text: String) throws(JSONPathError) {
        self.text = text
        var segments: [[UInt8]] = []
        var rest = Substring(text)
        guard rest.hasPrefix("$") else { throw .mustStartWithDollar(text) }
        rest = rest.dropFirst()
        while !rest.isEmpty {
            if rest.hasPrefix("['") {
                rest = rest.dropFirst(2)
                guard let close = Self.closingBracket(in: rest) else { throw .unterminatedBracket(text) }
                let name = rest[..<close]
                guard !name.isEmpty else { throw .emptySegment(text) }
                segments.append(Array(name.utf8))
                rest = rest[close...].dropFirst(2)
            } else if rest.hasPrefix(".") {
                rest = rest.dropFirst()
                let end = rest.firstIndex(where: { $0 == "." || $0 == "[" }) ?? rest.endIndex
                let name = rest[..<end]
                guard !name.isEmpty else { throw .emptySegment(text) }
                segments.append(Array(name.utf8))
                rest = rest[end...]
            } else {
                throw .unexpectedCharacter(text)
            }
        }
        guard !segments.isEmpty else { throw .emptySegment(text) }
        self.segments = segments
    }

    public var description: String { text }

    /// The index of the first `']` in `text`.
    private static func closingBracket(in text: Substring) -> Substring.Index? {
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(after: index)
            if text[index] == "'", next < text.endIndex, text[next] == "]" { return index }
            index = next
        }
        return nil
    }
}

/// A configured path is not of the supported form.
public enum JSONPathError: Error, Hashable, Sendable, CustomStringConvertible {
    case mustStartWithDollar(String)
    case emptySegment(String)
    case unterminatedBracket(String)
    case unexpectedCharacter(String)

    public var description: String {
        switch self {
        case .mustStartWithDollar(let path): "path \"\(path)\" must start with \"$.\", e.g. \"$.tokens\""
        case .emptySegment(let path): "path \"\(path)\" has an empty member name"
        case .unterminatedBracket(let path): "path \"\(path)\" opens \"['\" without a closing \"']\""
        case .unexpectedCharacter(let path): "path \"\(path)\" must be \"$.name.name\" or use \"['name']\""
        }
    }
}
