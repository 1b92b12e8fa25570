import Foundation

/// A JSON value as Odometer sends it to and reads it from a billing API.
///
/// Numbers are kept as their decimal text, never as `Double`: money is written to the wire
/// exactly as rated (`"12.30"` goes out as the literal `12.30`) and read back without rounding.
/// Parsing goes through Foundation's `JSONDecoder` (control path only, never per event), which
/// reads a number into `Decimal` exactly; writing is ``JSONText``. A value type, thread-safe.
enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    /// Decimal text in JSON number syntax, e.g. `12.30`, `-1`, `0.000002`.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// A JSON number from exact decimal text; `nil` unless the text is a valid JSON number.
    static func decimal(_ text: String) -> JSONValue? {
        JSONNumberSyntax.isValid(text) ? .number(text) : nil
    }

    static func int(_ value: Int) -> JSONValue { .number(String(value)) }

    static func ints(_ values: [Int]) -> JSONValue { .array(values.map(JSONValue.int)) }

    subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    var intValue: Int? {
        if case .number(let text) = self { return Int(text) }
        return nil
    }

    var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    var numberText: String? {
        if case .number(let text) = self { return text }
        return nil
    }

    var arrayValue: [JSONValue]? {
        if case .array(let items) = self { return items }
        return nil
    }

    /// Odoo answers `false` for an empty many2one or char field.
    var isFalse: Bool { self == .bool(false) }

    /// A many2one field (`[id, "display name"]`) or a plain id, as an id.
    var recordID: Int? {
        if let id = intValue { return id }
        return arrayValue?.first?.intValue
    }
}

extension JSONValue: Decodable {
    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let flag = try? container.decode(Bool.self) {
            self = .bool(flag)
        } else if let number = try? container.decode(Decimal.self) {
            self = .number(number.description)
        } else if let text = try? container.decode(String.self) {
            self = .string(text)
        } else if let items = try? container.decode([JSONValue].self) {
            self = .array(items)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// Parses a response body; `nil` when it is not JSON (a proxy's HTML error page, say).
    static func parse(_ bytes: [UInt8]) -> JSONValue? {
        try? JSONDecoder().decode(JSONValue.self, from: Data(bytes))
    }
}

/// The grammar of a JSON number: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
enum JSONNumberSyntax {
    static func isValid(_ text: String) -> Bool {
        var bytes = Array(text.utf8)[...]
        if bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        guard let first = bytes.first, isDigit(first) else { return false }
        bytes = first == UInt8(ascii: "0") ? bytes.dropFirst() : bytes.drop(while: isDigit)
        if bytes.first == UInt8(ascii: ".") {
            let fraction = bytes.dropFirst()
            guard let digit = fraction.first, isDigit(digit) else { return false }
            bytes = fraction.drop(while: isDigit)
        }
        if bytes.first == UInt8(ascii: "e") || bytes.first == UInt8(ascii: "E") {
            var exponent = bytes.dropFirst()
            if exponent.first == UInt8(ascii: "+") || exponent.first == UInt8(ascii: "-") {
                exponent = exponent.dropFirst()
            }
            guard let digit = exponent.first, isDigit(digit) else { return false }
            bytes = exponent.drop(while: isDigit)
        }
        return bytes.isEmpty
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }
}
