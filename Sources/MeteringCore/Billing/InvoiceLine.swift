/// One invoice-ready line: a billable row of a closed period, rated and rounded.
///
/// Its `lineKey` is deterministic (a hash of account, meter, period, dimensions and version),
/// so a re-run close produces the same key and destinations can use it for idempotency.
/// Delivered lines are never mutated; a correction is a new line with a higher version.
public struct InvoiceLine: Hashable, Sendable {
    public let lineKey: String
    public let account: String
    public let meter: String
    public let period: String
    public let dimensions: String
    public let version: Int
    public let quantity: ExactDecimal
    public let amount: RatedAmount
    /// "api_tokens 2026-11 (model=gpt-x): 1250000 units, graduated"
    public let description: String

    public init(usage: RatedUsage, amount: RatedAmount, charge: Charge, version: Int = 1) {
        let total = usage.total
        lineKey = Self.key(account: total.account, meter: total.meter, period: total.period,
                           dimensions: total.dimensions, version: version)
        account = total.account
        meter = total.meter
        period = total.period
        dimensions = total.dimensions
        self.version = version
        quantity = usage.quantity
        self.amount = amount
        let pairs = CanonicalDimensions.pairs(total.dimensions)
        let labels = pairs.isEmpty ? "" : " (" + pairs.map { "\($0.name)=\($0.value)" }.joined(separator: ", ") + ")"
        description = "\(total.meter) \(total.period)\(labels): \(usage.quantity) units, \(charge.pricingDescription)"
    }

    /// The (name, value) pairs of a canonical dimensions text, in order.
    public static func dimensionPairs(_ dimensions: String) -> [(name: String, value: String)] {
        CanonicalDimensions.pairs(dimensions)
    }

    /// SHA-256 over the length-prefixed fields, in hex: stable across runs and machines.
    public static func key(account: String, meter: String, period: String, dimensions: String, version: Int) -> String {
        var bytes: [UInt8] = Array("odometer-line-v1".utf8)
        for field in [account, meter, period, dimensions, String(version)] {
            let utf8 = Array(field.utf8)
            bytes.append(contentsOf: String(utf8.count).utf8)
            bytes.append(UInt8(ascii: ":"))
            bytes.append(contentsOf: utf8)
        }
        return StableHash.hex(StableHash.sha256(bytes))
    }
}
