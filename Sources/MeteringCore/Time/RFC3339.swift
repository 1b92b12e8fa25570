/// RFC 3339 timestamps (`date-time` of RFC 3339 §5.6), the syntax of an event's `time`
/// (DESIGN §2). Stateless; thread-safe.
///
/// Accepted: `YYYY-MM-DD` + `T`/`t` + `hh:mm:ss` + optional `.` and 1 to 9 fraction digits +
/// `Z`/`z` or `±hh:mm` (hh ≤ 23, mm ≤ 59; `-00:00` is UTC). Every field is range-checked,
/// including the days of the month with Gregorian leap years. Rejected: the leap second
/// `:60`, a space or anything else as separator, a 10th fraction digit, an empty fraction,
/// a missing piece and any trailing byte.
public enum RFC3339 {
    /// Parses the decoded text of a JSON string (without its quotes).
    ///
    /// Returns `nil` when the text is not a valid timestamp (`bad_time`). O(1): it reads at
    /// most 36 bytes whatever the length of the text; never allocates.
    public static func parse(_ text: UnsafeRawBufferPointer) -> EventTime? {
        var reader = DigitReader(text: text)
        // date-fullyear "-" date-month "-" date-mday
        guard text.count >= 20,
              let year = reader.digits(4), reader.skip(UInt8(ascii: "-")),
              let month = reader.digits(2), reader.skip(UInt8(ascii: "-")),
              let day = reader.digits(2),
              reader.skip(UInt8(ascii: "T")) || reader.skip(UInt8(ascii: "t")),
              // partial-time without the fraction
              let hour = reader.digits(2), reader.skip(UInt8(ascii: ":")),
              let minute = reader.digits(2), reader.skip(UInt8(ascii: ":")),
              let second = reader.digits(2)
        else { return nil }
        guard (1...12).contains(month), (1...CivilDate.daysInMonth(year: year, month: month)).contains(day),
              hour <= 23, minute <= 59, second <= 59
        else { return nil }

        var nanoseconds: Int64 = 0
        if reader.skip(UInt8(ascii: ".")) {
            var digitCount = 0
            while let digit = reader.digit() {
                digitCount += 1
                guard digitCount <= 9 else { return nil }
                nanoseconds = nanoseconds * 10 + digit
            }
            guard digitCount > 0 else { return nil }
            for _ in digitCount..<9 { nanoseconds *= 10 }
        }

        let offsetSeconds: Int64
        if reader.skip(UInt8(ascii: "Z")) || reader.skip(UInt8(ascii: "z")) {
            offsetSeconds = 0
        } else {
            let sign: Int64
            if reader.skip(UInt8(ascii: "+")) { sign = 1 } else if reader.skip(UInt8(ascii: "-")) { sign = -1 } else { return nil }
            guard let offsetHours = reader.digits(2), reader.skip(UInt8(ascii: ":")),
                  let offsetMinutes = reader.digits(2),
                  offsetHours <= 23, offsetMinutes <= 59
            else { return nil }
            offsetSeconds = sign * (offsetHours * 3600 + offsetMinutes * 60)
        }
        guard reader.isAtEnd else { return nil }

        let localSeconds = CivilDate(year: year, month: month, day: day).dayNumber * CivilDate.secondsPerDay
            + hour * 3600 + minute * 60 + second
        return EventTime(seconds: localSeconds - offsetSeconds, nanoseconds: Int32(nanoseconds))
    }

    /// Parses a Swift string; a convenience over `parse(_: UnsafeRawBufferPointer)`.
    public static func parse(_ text: String) -> EventTime? {
        var text = text
        return text.withUTF8 { parse(UnsafeRawBufferPointer($0)) }
    }
}

/// A forward-only cursor over ASCII bytes that reads fixed-width decimal fields.
private struct DigitReader {
    let text: UnsafeRawBufferPointer
    var position = 0

    init(text: UnsafeRawBufferPointer) { self.text = text }

    var isAtEnd: Bool { position == text.count }

    /// Consumes `byte` if it is next.
    mutating func skip(_ byte: UInt8) -> Bool {
        guard position < text.count, text[position] == byte else { return false }
        position += 1
        return true
    }

    /// Consumes one ASCII digit if one is next, returning its value.
    mutating func digit() -> Int64? {
        guard position < text.count else { return nil }
        let value = text[position] &- UInt8(ascii: "0")
        guard value < 10 else { return nil }
        position += 1
        return Int64(value)
    }

    /// Consumes exactly `count` ASCII digits, or nothing if they are not all there.
    mutating func digits(_ count: Int) -> Int64? {
        let start = position
        var value: Int64 = 0
        for _ in 0..<count {
            guard let digit = digit() else { position = start; return nil }
            value = value * 10 + digit
        }
        return value
    }
}
