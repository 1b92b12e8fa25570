import ByteScan

/// A validating, allocation-free JSON scanner over one message's bytes (RFC 8259, UTF-8).
///
/// It moves forward only, reports failure by returning `false` or `nil` (the caller maps that
/// to `invalid_json`), and never reads outside the buffer. Strings are checked for valid UTF-8,
/// control characters and escape syntax; numbers for the exact JSON grammar. Nesting deeper
/// than `maximumDepth` is refused. Owned by one thread; not Sendable (it holds raw pointers).
struct JSONScanner {
    let bytes: UnsafePointer<UInt8>
    let count: Int
    var index: Int = 0
    /// A stack of open containers for `skipValue`: 1 = object, 0 = array.
    let nesting: UnsafeMutablePointer<UInt8>
    /// By byte value: 0 for a byte that may stand in a string as it is, 1 otherwise (quote,
    /// backslash, control character, any byte of a multi-byte scalar).
    let stringClasses: UnsafePointer<UInt8>
    static let maximumDepth = 1024

    /// The scanner's reusable memory: the byte-class table and the nesting stack. Allocate once
    /// per owner with `allocateWorkspace()`, free with `deallocate()`.
    static func allocateWorkspace() -> UnsafeMutablePointer<UInt8> {
        let workspace = UnsafeMutablePointer<UInt8>.allocate(capacity: 256 + maximumDepth)
        for byte in 0..<256 {
            workspace[byte] = byte < 0x20 || byte >= 0x80 || byte == 0x22 || byte == 0x5C ? 1 : 0
        }
        return workspace
    }

    init(bytes: UnsafePointer<UInt8>, count: Int, workspace: UnsafeMutablePointer<UInt8>) {
        self.bytes = bytes
        self.count = count
        self.stringClasses = UnsafePointer(workspace)
        self.nesting = workspace + 256
    }

    @inline(__always)
    var atEnd: Bool { index >= count }

    @inline(__always)
    var current: UInt8 { bytes[index] }

    @inline(__always)
    mutating func skipWhitespace() {
        while index < count {
            let byte = bytes[index]
            // space, \t, \n, \r
            guard byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D else { return }
            index &+= 1
        }
    }

    /// Consumes `byte` after optional whitespace.
    @inline(__always)
    mutating func consume(_ byte: UInt8) -> Bool {
        skipWhitespace()
        guard index < count, bytes[index] == byte else { return false }
        index &+= 1
        return true
    }

    /// Scans a string starting at its opening quote. Returns the content span (quotes excluded).
    mutating func scanString() -> JSONValueRef? {
        guard index < count, bytes[index] == UInt8(ascii: "\"") else { return nil }
        index &+= 1
        let start = index
        var hasEscapes = false
        while index < count {
            // Plain bytes: sixteen at a time while sixteen remain in the buffer, then one table
            // lookup each.
            while index &+ 16 <= count {
                let plain = Int(json_first_special_byte16(bytes + index))
                index &+= plain
                if plain < 16 { break }
            }
            while index < count, stringClasses[Int(bytes[index])] == 0 { index &+= 1 }
            guard index < count else { break }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let ref = JSONValueRef(kind: .string, hasEscapes: hasEscapes, start: Int32(start), end: Int32(index))
                index &+= 1
                return ref
            }
            if byte == UInt8(ascii: "\\") {
                hasEscapes = true
                guard scanEscape() else { return nil }
            } else if byte < 0x20 {
                return nil
            } else if byte < 0x80 {
                index &+= 1
            } else {
                guard scanMultiByteScalar() else { return nil }
            }
        }
        return nil
    }

    /// At a backslash: validates one escape sequence and moves past it.
    private mutating func scanEscape() -> Bool {
        guard index &+ 1 < count else { return false }
        switch bytes[index &+ 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
             UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            index &+= 2
            return true
        case UInt8(ascii: "u"):
            guard let unit = hexUnit(at: index &+ 2) else { return false }
            index &+= 6
            if unit >= 0xD800 && unit <= 0xDBFF {
                // A high surrogate must be followed by an escaped low surrogate.
                guard index &+ 1 < count, bytes[index] == UInt8(ascii: "\\"), bytes[index &+ 1] == UInt8(ascii: "u"),
                      let low = hexUnit(at: index &+ 2), low >= 0xDC00 && low <= 0xDFFF else { return false }
                index &+= 6
            } else if unit >= 0xDC00 && unit <= 0xDFFF {
                return false   // a lone low surrogate is not Unicode text
            }
            return true
        default:
            return false
        }
    }

    /// Four hex digits at `position`, or nil.
    func hexUnit(at position: Int) -> UInt16? {
        guard position &+ 4 <= count else { return nil }
        var value: UInt16 = 0
        for offset in 0..<4 {
            let byte = bytes[position &+ offset]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte &- 48
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte &- 87
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte &- 55
            default: return nil
            }
            value = value << 4 | UInt16(digit)
        }
        return value
    }

    /// At a byte ≥ 0x80: validates one UTF-8 encoded scalar (no overlongs, no surrogates,
    /// nothing above U+10FFFF) and moves past it.
    private mutating func scanMultiByteScalar() -> Bool {
        let lead = bytes[index]
        let length: Int
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; high = 0x9F
        case 0xF0: length = 4; low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; high = 0x8F
        default: return false
        }
        guard index &+ length <= count else { return false }
        let second = bytes[index &+ 1]
        guard second >= low && second <= high else { return false }
        for offset in 2..<max(length, 2) where offset < length {
            let byte = bytes[index &+ offset]
            guard byte & 0xC0 == 0x80 else { return false }
        }
        index &+= length
        return true
    }

    /// Scans a number with the exact JSON grammar. Returns its span.
    mutating func scanNumber() -> JSONValueRef? {
        let start = index
        if index < count, bytes[index] == UInt8(ascii: "-") { index &+= 1 }
        guard index < count else { return nil }
        if bytes[index] == UInt8(ascii: "0") {
            index &+= 1
        } else if bytes[index] &- 49 < 9 {
            while index < count, bytes[index] &- 48 < 10 { index &+= 1 }
        } else {
            return nil
        }
        if index < count, bytes[index] == UInt8(ascii: ".") {
            index &+= 1
            let digits = index
            while index < count, bytes[index] &- 48 < 10 { index &+= 1 }
            guard index > digits else { return nil }
        }
        if index < count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index &+= 1
            if index < count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index &+= 1 }
            let digits = index
            while index < count, bytes[index] &- 48 < 10 { index &+= 1 }
            guard index > digits else { return nil }
        }
        return JSONValueRef(kind: .number, hasEscapes: false, start: Int32(start), end: Int32(index))
    }

    @inline(__always)
    private mutating func scanLiteral(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8?) -> Bool {
        let length = d == nil ? 3 : 4
        guard index &+ length < count else { return false }
        guard bytes[index &+ 1] == a, bytes[index &+ 2] == b, bytes[index &+ 3] == c else { return false }
        if let d { guard bytes[index &+ 4] == d else { return false } }
        index &+= length &+ 1
        return true
    }

    /// Scans one scalar value (string, number, literal) at the current position, or returns the
    /// kind `.object`/`.array` without moving when a container starts there.
    mutating func scanScalarOrPeekContainer() -> JSONValueRef? {
        skipWhitespace()
        guard index < count else { return nil }
        let start = Int32(index)
        switch bytes[index] {
        case UInt8(ascii: "\""): return scanString()
        case UInt8(ascii: "{"): return JSONValueRef(kind: .object, hasEscapes: false, start: start, end: start)
        case UInt8(ascii: "["): return JSONValueRef(kind: .array, hasEscapes: false, start: start, end: start)
        case UInt8(ascii: "t"):
            guard scanLiteral(UInt8(ascii: "r"), UInt8(ascii: "u"), UInt8(ascii: "e"), nil) else { return nil }
            return JSONValueRef(kind: .trueLiteral, hasEscapes: false, start: start, end: Int32(index))
        case UInt8(ascii: "f"):
            guard scanLiteral(UInt8(ascii: "a"), UInt8(ascii: "l"), UInt8(ascii: "s"), UInt8(ascii: "e")) else { return nil }
            return JSONValueRef(kind: .falseLiteral, hasEscapes: false, start: start, end: Int32(index))
        case UInt8(ascii: "n"):
            guard scanLiteral(UInt8(ascii: "u"), UInt8(ascii: "l"), UInt8(ascii: "l"), nil) else { return nil }
            return JSONValueRef(kind: .null, hasEscapes: false, start: start, end: Int32(index))
        default:
            return scanNumber()
        }
    }

    /// Scans any value, validating containers fully without recursion. Returns its span
    /// (for containers, from the opening to one past the closing bracket).
    mutating func scanValue() -> JSONValueRef? {
        guard var ref = scanScalarOrPeekContainer() else { return nil }
        if ref.kind == .object || ref.kind == .array {
            guard skipContainer() else { return nil }
            ref.end = Int32(index)
        }
        return ref
    }

    /// At `{` or `[`: moves past the matching close, validating everything inside.
    private mutating func skipContainer() -> Bool {
        var depth = 0
        // Opening a container: push its kind and expect its first member or its close.
        func open(_ scanner: inout JSONScanner, _ depth: inout Int) -> Bool {
            guard depth < JSONScanner.maximumDepth else { return false }
            let isObject = scanner.bytes[scanner.index] == UInt8(ascii: "{")
            scanner.nesting[depth] = isObject ? 1 : 0
            depth &+= 1
            scanner.index &+= 1
            return true
        }
        guard open(&self, &depth) else { return false }
        var expectingFirst = true
        while depth > 0 {
            let inObject = nesting[depth &- 1] == 1
            skipWhitespace()
            guard index < count else { return false }
            if expectingFirst, bytes[index] == (inObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                index &+= 1
                depth &-= 1
                expectingFirst = false
                if depth == 0 { return true }
                guard afterValue(depth: &depth) else { return false }
                if depth == 0 { return true }
                continue
            }
            expectingFirst = false
            if inObject {
                guard scanString() != nil, consume(UInt8(ascii: ":")) else { return false }
            }
            guard let value = scanScalarOrPeekContainer() else { return false }
            if value.kind == .object || value.kind == .array {
                guard open(&self, &depth) else { return false }
                expectingFirst = true
                continue
            }
            guard afterValue(depth: &depth) else { return false }
            if depth == 0 { return true }
            // afterValue consumed a comma (continue the same container) or closed containers.
        }
        return true
    }

    /// After a member value: consumes `,` (stay) or closing brackets (pop, possibly several).
    private mutating func afterValue(depth: inout Int) -> Bool {
        while true {
            skipWhitespace()
            guard index < count else { return false }
            let byte = bytes[index]
            if byte == UInt8(ascii: ",") {
                index &+= 1
                return true
            }
            let inObject = nesting[depth &- 1] == 1
            guard byte == (inObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) else { return false }
            index &+= 1
            depth &-= 1
            if depth == 0 { return true }
        }
    }
}
