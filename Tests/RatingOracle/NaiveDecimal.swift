public import MeteringCore

/// A deliberately naive exact decimal for reference computations: a sign and base-ten digits
/// of `value × 10²⁴`, least significant first, with schoolbook arithmetic digit by digit and
/// rounding done on the printed digits. Slow and simple on purpose; shares no code with the
/// rater beyond reading `ExactDecimal.raw`.
public struct NaiveDecimal: Equatable, Sendable {
    public static let scale = 24
    /// Digits of |value| × 10²⁴, least significant first, no zeros at the end (zero is empty).
    public private(set) var digits: [Int]
    public private(set) var negative: Bool

    private init(digits: [Int], negative: Bool) {
        var digits = digits
        while digits.last == 0 { digits.removeLast() }
        self.digits = digits
        self.negative = digits.isEmpty ? false : negative
    }

    public static let zero = NaiveDecimal(digits: [], negative: false)

    /// Exactly `value` (its raw count of 10⁻¹² units, read as text, shifted by 12 digits).
    public init(_ value: ExactDecimal) {
        let text = String(value.raw.magnitude)
        let magnitude = Array(repeating: 0, count: 12) + text.reversed().map { Int(String($0))! }
        self.init(digits: magnitude, negative: value.raw < 0)
    }

    public var isZero: Bool { digits.isEmpty }

    public static func + (a: NaiveDecimal, b: NaiveDecimal) -> NaiveDecimal {
        if a.negative == b.negative { return NaiveDecimal(digits: addDigits(a.digits, b.digits), negative: a.negative) }
        if compareDigits(a.digits, b.digits) >= 0 {
            return NaiveDecimal(digits: subtractDigits(a.digits, b.digits), negative: a.negative)
        }
        return NaiveDecimal(digits: subtractDigits(b.digits, a.digits), negative: b.negative)
    }

    public static prefix func - (a: NaiveDecimal) -> NaiveDecimal { NaiveDecimal(digits: a.digits, negative: !a.negative) }

    public static func - (a: NaiveDecimal, b: NaiveDecimal) -> NaiveDecimal { a + (-b) }

    /// The exact product; both factors must have at most 12 fractional digits.
    public static func * (a: NaiveDecimal, b: NaiveDecimal) -> NaiveDecimal {
        var product = Array(repeating: 0, count: a.digits.count + b.digits.count + 1)
        for (i, x) in a.digits.enumerated() {
            for (j, y) in b.digits.enumerated() { product[i + j] += x * y }
        }
        var carry = 0
        for k in product.indices {
            let sum = product[k] + carry
            product[k] = sum % 10
            carry = sum / 10
        }
        precondition(product.prefix(scale).allSatisfy { $0 == 0 }, "the product needs more than 24 fractional digits")
        return NaiveDecimal(digits: Array(product.dropFirst(scale)), negative: a.negative != b.negative)
    }

    public static func < (a: NaiveDecimal, b: NaiveDecimal) -> Bool {
        if a.negative != b.negative { return a.negative }
        let order = compareDigits(a.digits, b.digits)
        return a.negative ? order > 0 : order < 0
    }

    public static func <= (a: NaiveDecimal, b: NaiveDecimal) -> Bool { !(b < a) }

    /// ⌈a / b⌉ for a ≥ 0 and b > 0, as a whole number, by long division one digit at a time.
    public static func ceilingQuotient(_ a: NaiveDecimal, _ b: NaiveDecimal) -> NaiveDecimal {
        var quotient: [Int] = []            // most significant first
        var remainder: [Int] = []
        for digit in a.digits.reversed() {
            remainder = [digit] + remainder
            while remainder.last == 0 { remainder.removeLast() }
            var count = 0
            while compareDigits(remainder, b.digits) >= 0 {
                remainder = subtractDigits(remainder, b.digits)
                count += 1
            }
            quotient.append(count)
        }
        var whole = NaiveDecimal(digits: Array(repeating: 0, count: scale) + quotient.reversed(), negative: false)
        if !remainder.isEmpty { whole = whole + NaiveDecimal(digits: Array(repeating: 0, count: scale) + [1], negative: false) }
        return whole
    }

    /// All digits, trailing fractional zeros removed: `"-12.5"`, `"7"`.
    public var text: String {
        let padded = digits + Array(repeating: 0, count: Swift.max(0, Self.scale + 1 - digits.count))
        let printed = padded.reversed().map(String.init).joined()
        var integer = String(printed.dropLast(Self.scale))
        while integer.count > 1, integer.first == "0" { integer.removeFirst() }
        var fraction = String(printed.suffix(Self.scale))
        while fraction.last == "0" { fraction.removeLast() }
        return (negative ? "-" : "") + integer + (fraction.isEmpty ? "" : "." + fraction)
    }

    /// Rounded half-even to `fractionDigits`, printed with exactly that many, or nil when the
    /// rounded value needs more than 18 integer digits. Works on the digit string only.
    public func roundedText(fractionDigits: Int) -> String? {
        let padded = digits + Array(repeating: 0, count: Swift.max(0, Self.scale + 1 - digits.count))
        var kept = Array(padded.reversed().dropLast(Self.scale - fractionDigits))   // most significant first
        let dropped = Array(padded.prefix(Self.scale - fractionDigits).reversed())
        let firstDropped = dropped.first ?? 0
        let restNonZero = dropped.dropFirst().contains { $0 != 0 }
        let lastKeptOdd = kept.last! % 2 == 1
        if firstDropped > 5 || (firstDropped == 5 && (restNonZero || lastKeptOdd)) {
            var index = kept.count - 1
            while index >= 0, kept[index] == 9 { kept[index] = 0; index -= 1 }
            if index >= 0 { kept[index] += 1 } else { kept.insert(1, at: 0) }
        }
        var integer = kept.dropLast(fractionDigits).map(String.init).joined()
        while integer.count > 1, integer.first == "0" { integer.removeFirst() }
        if integer.count > 18 { return nil }
        let fraction = kept.suffix(fractionDigits).map(String.init).joined()
        let isZero = !kept.contains { $0 != 0 }
        return (negative && !isZero ? "-" : "") + integer + (fractionDigits > 0 ? "." + fraction : "")
    }

    private static func compareDigits(_ a: [Int], _ b: [Int]) -> Int {
        if a.count != b.count { return a.count < b.count ? -1 : 1 }
        for (x, y) in zip(a.reversed(), b.reversed()) where x != y { return x < y ? -1 : 1 }
        return 0
    }

    private static func addDigits(_ a: [Int], _ b: [Int]) -> [Int] {
        var result: [Int] = []
        var carry = 0
        for k in 0..<Swift.max(a.count, b.count) {
            let sum = (k < a.count ? a[k] : 0) + (k < b.count ? b[k] : 0) + carry
            result.append(sum % 10)
            carry = sum / 10
        }
        if carry > 0 { result.append(carry) }
        return result
    }

    /// a − b for a ≥ b.
    private static func subtractDigits(_ a: [Int], _ b: [Int]) -> [Int] {
        var result: [Int] = []
        var borrow = 0
        for k in a.indices {
            var difference = a[k] - (k < b.count ? b[k] : 0) - borrow
            borrow = difference < 0 ? 1 : 0
            if difference < 0 { difference += 10 }
            result.append(difference)
        }
        while result.last == 0 { result.removeLast() }
        return result
    }
}
