/// The grammar of `PostgresURL`, kept apart from the value type. Pure functions, thread-safe.
enum PostgresURLParser {
    static func parse(_ text: String) throws(PostgresURLError) -> PostgresURL {
        var rest: Substring
        if text.hasPrefix("postgres://") {
            rest = text.dropFirst("postgres://".count)
        } else if text.hasPrefix("postgresql://") {
            rest = text.dropFirst("postgresql://".count)
        } else {
            throw .unsupportedScheme(String(text.prefix { $0 != ":" }))
        }

        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        guard let slash = rest.firstIndex(of: "/") else { throw .missingDatabase }
        let authority = rest[..<slash]
        let database = try decode(rest[rest.index(after: slash)...], "database")
        guard !database.isEmpty, !database.contains("/") else { throw .missingDatabase }

        guard let at = authority.lastIndex(of: "@") else { throw .missingUser }
        let userInfo = authority[..<at]
        let hostPort = authority[authority.index(after: at)...]
        let username: String
        var password: String?
        if let colon = userInfo.firstIndex(of: ":") {
            username = try decode(userInfo[..<colon], "user")
            password = try decode(userInfo[userInfo.index(after: colon)...], "password")
        } else {
            username = try decode(userInfo, "user")
        }
        guard !username.isEmpty else { throw .missingUser }

        let (host, port) = try parseHostPort(hostPort)
        let sslMode = try parseQuery(query)
        return PostgresURL(username: username, password: password, host: host, port: port,
                           database: database, sslMode: sslMode)
    }

    private static func parseHostPort(_ text: Substring) throws(PostgresURLError) -> (String, Int) {
        var host: Substring
        var portText: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw .missingHost }
            host = text[text.index(after: text.startIndex)..<close]
            let after = text[text.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw .invalidPort(String(after)) }
                portText = after.dropFirst()
            }
        } else if let colon = text.lastIndex(of: ":") {
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        } else {
            host = text
        }
        guard !host.isEmpty else { throw .missingHost }
        guard let portText else { return (String(host), 5432) }
        guard portText.allSatisfy(\.isASCII), let port = Int(portText), (1...65_535).contains(port) else {
            throw .invalidPort(String(portText))
        }
        return (String(host), port)
    }

    private static func parseQuery(_ query: Substring) throws(PostgresURLError) -> PostgresURL.SSLMode {
        var mode = PostgresURL.SSLMode.prefer
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = try decode(parts[0], "parameter")
            guard name == "sslmode" else { throw .unsupportedParameter(name) }
            let value = parts.count == 2 ? try decode(parts[1], "parameter") : ""
            guard let parsed = PostgresURL.SSLMode(rawValue: value) else { throw .invalidSSLMode(value) }
            mode = parsed
        }
        return mode
    }

    /// Decodes %XX escapes as UTF-8.
    static func decode(_ part: Substring, _ name: String) throws(PostgresURLError) -> String {
        guard part.contains("%") else { return String(part) }
        var bytes: [UInt8] = []
        var iterator = part.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else { bytes.append(byte); continue }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                throw .invalidPercentEncoding(part: name)
            }
            bytes.append(high << 4 | low)
        }
        guard let decoded = String(validating: bytes, as: UTF8.self) else {
            throw .invalidPercentEncoding(part: name)
        }
        return decoded
    }

    /// Percent-encodes everything but RFC 3986 unreserved characters.
    static func encode(_ text: String) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                 UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(byte)
            default:
                out += [UInt8(ascii: "%"), digits[Int(byte >> 4)], digits[Int(byte & 0xF)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
