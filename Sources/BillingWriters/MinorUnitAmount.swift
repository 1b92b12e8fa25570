/// An exact money amount counted in a currency's minor units (cents for USD, fils for BHD).
///
/// Built from decimal text and printed back as decimal text, never through floating point, so
/// Odometer's rated amounts and Odoo's totals compare to the last minor unit. `Int128` holds any
/// sum of amounts within the quantity range (18 integer digits). A value type, thread-safe.
struct MinorUnitAmount: Sendable, Hashable {
    let units: Int128
    let minorDigits: Int

    init(units: Int128, minorDigits: Int) {
        self.units = units
        self.minorDigits = minorDigits
    }

    /// A rated amount: plain notation with exactly `minorDigits` fractional digits (`"12.30"` at 2,
    /// `"1500"` at 0). `nil` for any other spelling, so a mis-rounded amount never goes out.
    init?(rated text: String, minorDigits: Int) {
        guard JSONNumberSyntax.isValid(text), !text.contains(where: { $0 == "e" || $0 == "E" }) else {
            return nil
        }
        let fraction = text.split(separator: ".", omittingEmptySubsequences: false).dropFirst().first
        guard (fraction?.count ?? 0) == minorDigits else { return nil }
        self.init(remote: text, minorDigits: minorDigits)
    }

    /// Any JSON number, as Odoo prints a float (`1234.57`, `1e+16`, `2.5e-05`). `nil` unless it
    /// is a whole number of minor units that fits.
    init?(remote text: String, minorDigits: Int) {
        guard JSONNumberSyntax.isValid(text) else { return nil }
        let negative = text.hasPrefix("-")
        let unsigned = negative ? text.dropFirst() : Substring(text)
        let parts = unsigned.split(whereSeparator: { $0 == "e" || $0 == "E" })
        guard let exponent = parts.count == 2 ? Int(parts[1]) : 0 else { return nil }
        let mantissa = parts[0].split(separator: ".", omittingEmptySubsequences: false)
        let fraction = mantissa.count == 2 ? mantissa[1] : ""
        var digits = Array((mantissa[0] + fraction).utf8).map { Int128($0 - UInt8(ascii: "0")) }[...]
        var scale = exponent - fraction.count + minorDigits
        while scale < 0 {
            guard digits.last == 0 else { return nil }
            digits = digits.dropLast()
            scale += 1
        }
        var value: Int128 = 0
        for digit in digits + Array(repeating: 0, count: scale) {
            let (shifted, overflow) = value.multipliedReportingOverflow(by: 10)
            let (sum, carry) = shifted.addingReportingOverflow(digit)
            if overflow || carry { return nil }
            value = sum
        }
        self.init(units: negative ? -value : value, minorDigits: minorDigits)
    }

    /// Decimal text with exactly `minorDigits` fractional digits: `12.30`, `-0.05`, `1500`.
    var text: String {
        let magnitude = String(units.magnitude)
        let sign = units < 0 ? "-" : ""
        guard minorDigits > 0 else { return sign + magnitude }
        let padded = String(repeating: "0", count: max(0, minorDigits + 1 - magnitude.count)) + magnitude
        let split = padded.index(padded.endIndex, offsetBy: -minorDigits)
        return sign + padded[..<split] + "." + padded[split...]
    }

    /// The sum, or `nil` on overflow.
    static func sum(_ amounts: [MinorUnitAmount], minorDigits: Int) -> MinorUnitAmount? {
        var total: Int128 = 0
        for amount in amounts {
            let (sum, overflow) = total.addingReportingOverflow(amount.units)
            if overflow { return nil }
            total = sum
        }
        return MinorUnitAmount(units: total, minorDigits: minorDigits)
    }
}
