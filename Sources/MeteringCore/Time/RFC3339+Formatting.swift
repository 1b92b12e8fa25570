extension RFC3339 {
    /// The instant in UTC, e.g. `2026-11-05T10:00:00.123Z`: the fraction is printed only when
    /// non-zero, with its trailing zeros removed, so `parse(format(t)) == t` for every instant
    /// of years 0000 ... 9999. One allocation (the string).
    public static func format(_ time: EventTime) -> String {
        format(time, utcOffsetMinutes: 0)
    }

    /// The instant as local time at a fixed offset from UTC, e.g. `2026-11-05T15:30:00+05:30`
    /// for an offset of 330 minutes; an offset of 0 prints `Z`.
    ///
    /// A local year outside 0000 ... 9999 cannot be written in RFC 3339; it is printed in the
    /// expanded form of ISO 8601 (`+10000-01-01T…`, `-0001-12-31T…`), which `parse` rejects.
    /// - Precondition: `utcOffsetMinutes` is in `-1439 ... 1439` (±23:59).
    public static func format(_ time: EventTime, utcOffsetMinutes: Int) -> String {
        precondition((-1439...1439).contains(utcOffsetMinutes),
                     "a UTC offset must be within ±23:59, got \(utcOffsetMinutes) minutes")
        let local = time.seconds + Int64(utcOffsetMinutes) * 60
        let date = CivilDate(secondsSinceEpoch: local)
        let secondOfDay = UInt64(local - date.dayNumber * CivilDate.secondsPerDay)

        // Longest text: sign, 12 year digits, "-MM-DDThh:mm:ss", 10 fraction bytes, "+hh:mm".
        return String(unsafeUninitializedCapacity: 48) { buffer in
            var out = ASCIIWriter(buffer: buffer)
            if date.year < 0 { out.append("-") } else if date.year > 9999 { out.append("+") }
            out.append(date.year.magnitude, width: 4)
            out.append("-")
            out.append(UInt64(date.month), width: 2)
            out.append("-")
            out.append(UInt64(date.day), width: 2)
            out.append("T")
            out.append(secondOfDay / 3600, width: 2)
            out.append(":")
            out.append(secondOfDay / 60 % 60, width: 2)
            out.append(":")
            out.append(secondOfDay % 60, width: 2)
            if time.nanoseconds > 0 {
                var fraction = UInt64(time.nanoseconds)
                var width = 9
                while fraction % 10 == 0 {
                    fraction /= 10
                    width -= 1
                }
                out.append(".")
                out.append(fraction, width: width)
            }
            if utcOffsetMinutes == 0 {
                out.append("Z")
            } else {
                out.append(utcOffsetMinutes < 0 ? "-" : "+")
                out.append(UInt64(utcOffsetMinutes.magnitude / 60), width: 2)
                out.append(":")
                out.append(UInt64(utcOffsetMinutes.magnitude % 60), width: 2)
            }
            return out.count
        }
    }
}

/// Writes ASCII into a caller-provided buffer that is known to be large enough.
private struct ASCIIWriter {
    let buffer: UnsafeMutableBufferPointer<UInt8>
    private(set) var count = 0

    init(buffer: UnsafeMutableBufferPointer<UInt8>) { self.buffer = buffer }

    mutating func append(_ character: Unicode.Scalar) {
        buffer[count] = UInt8(ascii: character)
        count += 1
    }

    /// Appends `value` in decimal, left-padded with zeros to at least `width` digits.
    mutating func append(_ value: UInt64, width: Int) {
        var digitCount = 1
        var rest = value / 10
        while rest > 0 {
            digitCount += 1
            rest /= 10
        }
        digitCount = max(digitCount, width)
        var remaining = value
        for position in stride(from: count + digitCount - 1, through: count, by: -1) {
            buffer[position] = UInt8(ascii: "0") + UInt8(remaining % 10)
            remaining /= 10
        }
        count += digitCount
    }
}
