import OdometerService
import MeteringWorkload

/// Events rendered once, so a producer thread can send them far faster than it could render
/// them, and cycle through them: each cycle rewrites the digits of the events' `source`
/// ("bench-c00000", "bench-c00001", …), so every message is a new event to dedup, while the
/// totals of every cycle are the same (the recount multiplies). Immutable after init.
struct RenderedCorpus: Sendable {
    static let sourcePrefix = "bench-c"
    static let cycleDigits = 5

    let bytes: [UInt8]
    /// Event `i` is `bytes[starts[i] ..< starts[i + 1]]`.
    let starts: [Int]
    /// Where, in event `i`, the cycle digits of its source begin.
    let cycleDigitsAt: [Int]
    let keys: [[UInt8]]
    let events: [UsageEvent]

    init(workload: UsageWorkload, count: Int, seed: UInt64) {
        let source = Self.sourcePrefix + String(repeating: "0", count: Self.cycleDigits)
        let sourced = UsageWorkload(accounts: workload.accounts, period: workload.period,
                                    distribution: workload.distribution, source: source)
        var bytes: [UInt8] = []
        var starts: [Int] = []
        var digits: [Int] = []
        var keys: [[UInt8]] = []
        var events: [UsageEvent] = []
        let marker = Array("\"source\":\"\(Self.sourcePrefix)".utf8)
        for event in sourced.stream(count: count, seed: seed) {
            let start = bytes.count
            starts.append(start)
            event.render(into: &bytes)
            let at = Self.find(marker, in: bytes, from: start)! + marker.count
            digits.append(at - start)
            keys.append(Array(event.accountID.utf8))
            events.append(event)
        }
        starts.append(bytes.count)
        self.bytes = bytes
        self.starts = starts
        cycleDigitsAt = digits
        self.keys = keys
        self.events = events
    }

    var count: Int { events.count }

    /// Calls `body` with event `index` as sent in `cycle` (a scratch copy with the cycle's digits).
    func withEvent<Result>(_ index: Int, cycle: Int, scratch: inout [UInt8],
                           _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: bytes[starts[index]..<starts[index + 1]])
        var value = cycle
        for position in stride(from: cycleDigitsAt[index] + Self.cycleDigits - 1, through: cycleDigitsAt[index], by: -1) {
            scratch[position] = UInt8(ascii: "0") + UInt8(value % 10)
            value /= 10
        }
        return try scratch.withUnsafeBytes { value in
            try keys[index].withUnsafeBytes { key in try body(key, value) }
        }
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        var index = start
        while index + needle.count <= haystack.count {
            if haystack[index] == needle[0], Array(haystack[index..<(index + needle.count)]) == needle { return index }
            index += 1
        }
        return nil
    }
}
