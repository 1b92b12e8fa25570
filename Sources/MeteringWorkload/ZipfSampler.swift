import Foundation

/// Draws ranks 0..<count with probability proportional to 1/(rank+1)^exponent, by binary
/// search over a precomputed cumulative table of integer weights (no floating point in the
/// draw; the table is built once). Immutable; Sendable.
struct ZipfSampler: Sendable {
    private let cumulative: [UInt64]

    init(count: Int, exponent: Double) {
        precondition(count > 0, "Zipf over an empty set")
        var cumulative: [UInt64] = []
        cumulative.reserveCapacity(count)
        var total: UInt64 = 0
        for rank in 0..<count {
            // Weights scaled to integers; the heaviest rank weighs 2^32.
            let weight = UInt64(4_294_967_296.0 / pow(Double(rank + 1), exponent)) + 1
            total += weight
            cumulative.append(total)
        }
        self.cumulative = cumulative
    }

    func sample(using random: inout some RandomNumberGenerator) -> Int {
        let target = UInt64.random(in: 0..<cumulative.last!, using: &random)
        var low = 0
        var high = cumulative.count - 1
        while low < high {
            let middle = (low + high) / 2
            if cumulative[middle] > target { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
