/// Why a text is not an `ExactDecimal`.
public enum DecimalParseError: Error, Hashable, Sendable {
    /// The text is not a JSON number (`-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`).
    case notANumber
    /// The value is a number but needs more than 18 integer or 12 fractional digits.
    case outOfRange
}

extension ExactDecimal {
    /// Parses the exact JSON-number syntax from UTF-8 bytes, exponents included, without
    /// allocating and without going through binary floating point.
    ///
    /// The range applies to the value, not its spelling: `1.50000000000000` is 1.5 and `1.5e3`
    /// is 1500, while `1e18` and `1e-13` are `.outOfRange`. O(n) in the length of the text.
    public static func parse(utf8 text: UnsafeRawBufferPointer) -> Result<ExactDecimal, DecimalParseError> {
        guard let base = text.baseAddress, !text.isEmpty else { return .failure(.notANumber) }
        let bytes = base.assumingMemoryBound(to: UInt8.self)
        let count = text.count
        if let plain = parsePlainInteger(bytes, count) { return .success(plain) }
        var index = 0
        var negative = false
        if bytes[0] == UInt8(ascii: "-") { negative = true; index = 1 }

        // Integer part: "0" or a non-zero digit followed by digits.
        let integerStart = index
        guard index < count, isDigit(bytes[index]) else { return .failure(.notANumber) }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            while index < count, isDigit(bytes[index]) { index += 1 }
        }
        let integerEnd = index
        if index < count, isDigit(bytes[index]) { return .failure(.notANumber) } // leading zero

        var fractionStart = index
        var fractionEnd = index
        if index < count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            fractionStart = index
            while index < count, isDigit(bytes[index]) { index += 1 }
            fractionEnd = index
            if fractionEnd == fractionStart { return .failure(.notANumber) }
        }

        var exponent = 0
        if index < count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            var exponentNegative = false
            if index < count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                exponentNegative = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            let exponentStart = index
            while index < count, isDigit(bytes[index]) {
                // Saturate: any exponent beyond a billion is out of range for a non-zero value
                // and irrelevant for zero.
                if exponent < 1_000_000_000 { exponent = exponent * 10 + Int(bytes[index] &- 48) }
                index += 1
            }
            if index == exponentStart { return .failure(.notANumber) }
            if exponentNegative { exponent = -exponent }
        }
        if index != count { return .failure(.notANumber) }

        return assemble(
            bytes: bytes, integer: integerStart..<integerEnd, fraction: fractionStart..<fractionEnd,
            exponent: exponent, negative: negative)
    }

    /// Parses a decimal written as text, e.g. from configuration (`"0.000002"`, `12`, `1.5e3`).
    public static func parse(_ text: String) -> Result<ExactDecimal, DecimalParseError> {
        var text = text
        return text.withUTF8 { parse(utf8: UnsafeRawBufferPointer($0)) }
    }

    /// `value = digits × 10^(exponent − fraction digits)`, with leading and trailing zeros of
    /// the digit sequence removed before any range check.
    private static func assemble(
        bytes: UnsafePointer<UInt8>, integer: Range<Int>, fraction: Range<Int>,
        exponent: Int, negative: Bool
    ) -> Result<ExactDecimal, DecimalParseError> {
        // The digit sequence is integer ++ fraction. Find its first and last non-zero digit.
        let total = integer.count + fraction.count
        @inline(__always) func digit(_ position: Int) -> UInt8 {
            position < integer.count
                ? bytes[integer.lowerBound + position] : bytes[fraction.lowerBound + position - integer.count]
        }
        var first = 0
        while first < total, digit(first) == UInt8(ascii: "0") { first += 1 }
        if first == total { return .success(.zero) }
        var last = total - 1
        while digit(last) == UInt8(ascii: "0") { last -= 1 }

        // Power of ten of the last significant digit.
        let lastPower = exponent - fraction.count + (total - 1 - last)
        // Power of ten of the first significant digit.
        let firstPower = lastPower + (last - first)
        if lastPower < -scale || firstPower >= 18 { return .failure(.outOfRange) }

        var raw: Int128 = 0
        for position in first...last { raw = raw * 10 + Int128(digit(position) &- 48) }
        var shift = lastPower + scale   // 0 ... 29
        while shift > 0 { raw *= 10; shift -= 1 }
        return .success(ExactDecimal(raw: negative ? -raw : raw))
    }

    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool { byte &- 48 < 10 }

    /// The common case, a non-negative integer of at most 18 digits without a leading zero,
    /// in one pass; nil sends every other spelling to the general parser.
    @inline(__always)
    private static func parsePlainInteger(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> ExactDecimal? {
        guard count <= 18, bytes[0] != UInt8(ascii: "0") || count == 1 else { return nil }
        var value: Int64 = 0
        for index in 0..<count {
            let digit = bytes[index] &- 48
            guard digit < 10 else { return nil }
            value = value &* 10 &+ Int64(digit)
        }
        return ExactDecimal(raw: Int128(value) &* 1_000_000_000_000)
    }
}
