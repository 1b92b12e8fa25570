/// Evaluates an Odoo search domain (Polish notation: leaves `[field, op, value]`, prefix `&`,
/// `|`, `!`, implicit `&` between consecutive terms) against one record's field values.
/// Stateless.
enum FakeDomain {
    static func matches(_ record: [String: FakeJSON], _ domain: [FakeJSON]) throws(OdooFakeException) -> Bool {
        var stack: [Bool] = []
        for term in domain.reversed() {
            switch term {
            case .string("!"):
                guard let operand = stack.popLast() else { throw malformed(domain) }
                stack.append(!operand)
            case .string("&"), .string("|"):
                guard let left = stack.popLast(), let right = stack.popLast() else { throw malformed(domain) }
                stack.append(term == .string("&") ? (left && right) : (left || right))
            case .array(let leaf) where leaf.count == 3:
                guard let field = leaf[0].stringValue, let op = leaf[1].stringValue else { throw malformed(domain) }
                stack.append(try evaluate(record[field] ?? .bool(false), op, leaf[2]))
            default:
                throw malformed(domain)
            }
        }
        return !stack.contains(false)
    }

    /// True when the domain names `field` in a leaf (Odoo then skips its implicit active filter).
    static func mentions(_ field: String, _ domain: [FakeJSON]) -> Bool {
        domain.contains { $0.arrayValue?.first == .string(field) }
    }

    private static func evaluate(_ stored: FakeJSON, _ op: String, _ value: FakeJSON) throws(OdooFakeException) -> Bool {
        // A many2one reads as [id, name] but compares as its id.
        let actual: FakeJSON = if case .array(let pair) = stored, pair.count == 2, pair[1].stringValue != nil {
            pair[0]
        } else {
            stored
        }
        switch op {
        case "=": return equal(actual, value)
        case "!=": return !equal(actual, value)
        case "in": return (value.arrayValue ?? []).contains { equal(actual, $0) }
        case "not in": return !(value.arrayValue ?? []).contains { equal(actual, $0) }
        case "<", "<=", ">", ">=":
            guard let left = actual.decimalValue, let right = value.decimalValue else { return false }
            switch op {
            case "<": return left < right
            case "<=": return left <= right
            case ">": return left > right
            default: return left >= right
            }
        case "ilike":
            guard let text = actual.stringValue, let pattern = value.stringValue else { return false }
            return text.lowercased().contains(pattern.lowercased())
        default:
            throw .validation("Invalid leaf operator \(op)")
        }
    }

    /// A list field (`tax_ids`, `invoice_line_ids`) equals a value when it contains it.
    private static func equal(_ actual: FakeJSON, _ value: FakeJSON) -> Bool {
        if case .array(let items) = actual, value.arrayValue == nil { return items.contains(value) }
        return actual == value
    }

    private static func malformed(_ domain: [FakeJSON]) -> OdooFakeException {
        .validation("Invalid domain: \(String(decoding: FakeJSON.array(domain).bytes, as: UTF8.self))")
    }
}
