/// An `application/x-www-form-urlencoded` body or query string as Stripe parses it: `+` is a
/// space, `%XX` a byte, and nested keys stay in bracket form (`metadata[line_key]`), readable
/// one level down with ``nested(_:)``. A value type.
struct StripeFakeForm: Sendable, Equatable {
    /// Every field in order, decoded.
    let fields: [(name: String, value: String)]

    static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.fields.map { [$0.name, $0.value] } == rhs.fields.map { [$0.name, $0.value] }
    }

    /// `nil` when a name or value is not valid percent-encoded UTF-8.
    init?(_ text: String) {
        var fields: [(String, String)] = []
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.decode(parts[0]), let value = Self.decode(parts.count == 2 ? parts[1] : "") else {
                return nil
            }
            fields.append((name, value))
        }
        self.fields = fields
    }

    subscript(name: String) -> String? { fields.last { $0.name == name }?.value }

    /// The members of `parent[…]`: `metadata[line_key]=x` → `["line_key": "x"]`.
    func nested(_ parent: String) -> [String: String] {
        var members: [String: String] = [:]
        for (name, value) in fields where name.hasPrefix(parent + "[") && name.hasSuffix("]") {
            members[String(name.dropFirst(parent.count + 1).dropLast())] = value
        }
        return members
    }

    /// The fields sorted by name: two requests with the same parameters in another order match.
    var canonical: [[String]] { fields.map { [$0.name, $0.value] }.sorted { $0[0] < $1[0] || ($0[0] == $1[0] && $0[1] < $1[1]) } }

    private static func decode(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"):
                bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                    return nil
                }
                bytes.append(high << 4 | low)
            default:
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
