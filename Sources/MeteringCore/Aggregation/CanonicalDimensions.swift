/// The canonical text of a row's dimensions: a JSON object with keys sorted by name, each
/// value a JSON string of the dimension's text, missing dimensions left out (`{}` when none).
/// Two events with the same dimension values always give byte-identical text, which is part
/// of the totals' primary key.
enum CanonicalDimensions {
    /// Appends `"text"` with JSON escapes (quote, backslash, control characters).
    static func appendJSONString(_ text: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in text {
            switch byte {
            case UInt8(ascii: "\""): out.append(0x5C); out.append(byte)
            case 0x5C: out.append(0x5C); out.append(0x5C)
            case 0x0A: out.append(0x5C); out.append(UInt8(ascii: "n"))
            case 0x0D: out.append(0x5C); out.append(UInt8(ascii: "r"))
            case 0x09: out.append(0x5C); out.append(UInt8(ascii: "t"))
            case 0..<0x20:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [0x5C, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                        hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// The canonical text for names and values given in name order (nil = missing).
    static func text(names: [String], values: [String?]) -> String {
        var out: [UInt8] = [UInt8(ascii: "{")]
        var first = true
        for (name, value) in zip(names, values) {
            guard let value else { continue }
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            var nameText = name
            var valueText = value
            nameText.withUTF8 { appendJSONString(UnsafeRawBufferPointer($0), to: &out) }
            out.append(UInt8(ascii: ":"))
            valueText.withUTF8 { appendJSONString(UnsafeRawBufferPointer($0), to: &out) }
        }
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
    }
}

extension CanonicalDimensions {
    /// The (name, value) pairs of a canonical dimensions text, in order; empty for `{}` or for
    /// text that is not a flat object of strings.
    static func pairs(_ text: String) -> [(name: String, value: String)] {
        var text = text
        return text.withUTF8 { utf8 -> [(name: String, value: String)] in
            guard let base = utf8.baseAddress, !utf8.isEmpty else { return [] }
            let workspace = JSONScanner.allocateWorkspace()
            defer { workspace.deallocate() }
            var strings = JSONStringDecoder(capacity: 64)
            defer { strings.deallocate() }
            var scanner = JSONScanner(bytes: base, count: utf8.count, workspace: workspace)
            var pairs: [(name: String, value: String)] = []
            guard scanner.consume(UInt8(ascii: "{")) else { return [] }
            if scanner.consume(UInt8(ascii: "}")) { return [] }
            repeat {
                scanner.skipWhitespace()
                guard let name = scanner.scanString(), scanner.consume(UInt8(ascii: ":")) else { return [] }
                scanner.skipWhitespace()
                guard let value = scanner.scanString() else { return [] }
                let nameText = String(decoding: strings.text(of: name, in: base), as: UTF8.self)
                let valueText = String(decoding: strings.text(of: value, in: base), as: UTF8.self)
                pairs.append((nameText, valueText))
            } while scanner.consume(UInt8(ascii: ","))
            return pairs
        }
    }
}
