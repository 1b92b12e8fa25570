/// Sizes as configured: a whole number and a binary unit, `KiB`, `MiB` or `GiB` (or plain bytes).
enum ByteSizeText {
    static func parse(_ text: String) -> Int? {
        let units: [(String, Int)] = [("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30)]
        for (suffix, bytes) in units where text.hasSuffix(suffix) {
            guard let value = Int(text.dropLast(suffix.count)), value >= 0, value <= Int.max / bytes else { return nil }
            return value * bytes
        }
        return Int(text).flatMap { $0 >= 0 ? $0 : nil }
    }
}
