/// Durations as configured: a whole number and a unit, `ms`, `s`, `m`, `h` or `d`.
public enum DurationText {
    public static func parse(_ text: String) -> Duration? {
        let units: [(String, Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]
        for (suffix, milliseconds) in units where text.hasSuffix(suffix) {
            let number = text.dropLast(suffix.count)
            // "5m" must not be read as "5" + "m" of "ms"; the order above tries "ms" first.
            guard let value = Int64(number), value >= 0, value <= Int64.max / milliseconds / 1_000_000 else { return nil }
            return .milliseconds(value * milliseconds)
        }
        return nil
    }
}
