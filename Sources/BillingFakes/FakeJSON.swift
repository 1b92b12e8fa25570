import Foundation

/// A JSON value inside the Odoo fake. Numbers are Foundation `Decimal`, decoded from and
/// encoded to their literal text exactly, so the fake never adds rounding that Odoo would not.
/// A value type, thread-safe.
enum FakeJSON: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(Decimal)
    case string(String)
    case array([FakeJSON])
    case object([String: FakeJSON])

    static func int(_ value: Int) -> FakeJSON { .number(Decimal(value)) }

    static func ints(_ values: [Int]) -> FakeJSON { .array(values.map(FakeJSON.int)) }

    /// A many2one value as Odoo reads it: `[id, "display name"]`, or `false` when empty.
    static func many2one(_ id: Int?, _ name: String) -> FakeJSON {
        id.map { .array([.int($0), .string(name)]) } ?? .bool(false)
    }

    subscript(key: String) -> FakeJSON? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    var decimalValue: Decimal? {
        if case .number(let value) = self { return value }
        return nil
    }

    var intValue: Int? {
        guard case .number(let value) = self, value.isWholeNumber else { return nil }
        return Int(exactly: NSDecimalNumber(decimal: value).int64Value)
    }

    var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    var arrayValue: [FakeJSON]? {
        if case .array(let items) = self { return items }
        return nil
    }

    var objectValue: [String: FakeJSON]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// Python truthiness, as Odoo applies it to a context flag.
    var isTruthy: Bool {
        switch self {
        case .null, .bool(false): false
        case .number(let value): !value.isZero
        case .string(let text): !text.isEmpty
        case .array(let items): !items.isEmpty
        case .object(let members): !members.isEmpty
        case .bool(true): true
        }
    }
}

extension FakeJSON: Codable {
    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let flag = try? container.decode(Bool.self) {
            self = .bool(flag)
        } else if let number = try? container.decode(Decimal.self) {
            self = .number(number)
        } else if let text = try? container.decode(String.self) {
            self = .string(text)
        } else if let items = try? container.decode([FakeJSON].self) {
            self = .array(items)
        } else {
            self = .object(try container.decode([String: FakeJSON].self))
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let flag): try container.encode(flag)
        case .number(let value): try container.encode(value)
        case .string(let text): try container.encode(text)
        case .array(let items): try container.encode(items)
        case .object(let members): try container.encode(members)
        }
    }

    static func parse(_ bytes: [UInt8]) -> FakeJSON? {
        try? JSONDecoder().decode(FakeJSON.self, from: Data(bytes))
    }

    var bytes: [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? Array(encoder.encode(self))) ?? Array("null".utf8)
    }
}

extension Decimal {
    var isWholeNumber: Bool { self == rounded(digits: 0) }

    /// Rounded half away from zero to `digits` decimals, as Odoo's `float_round` (HALF-UP).
    func rounded(digits: Int) -> Decimal {
        var value = self
        var result = Decimal()
        NSDecimalRound(&result, &value, digits, .plain)
        return result
    }

    /// Exact text with exactly `digits` fractional digits: `12.30`, `1500`, `-0.005`.
    func text(digits: Int) -> String {
        let plain = rounded(digits: digits).description
        guard digits > 0 else { return plain }
        let parts = plain.split(separator: ".", maxSplits: 1)
        let fraction = parts.count == 2 ? String(parts[1]) : ""
        return parts[0] + "." + fraction + String(repeating: "0", count: max(0, digits - fraction.count))
    }
}
