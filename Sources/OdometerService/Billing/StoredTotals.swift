import MeteringCore
import PostgresStore

extension UsageTotal {
    /// The core's view of a stored row: numerics parsed exactly from Postgres's text.
    init(record: UsageTotalRecord) throws(StoredTotalError) {
        func decimal(_ text: String?) throws(StoredTotalError) -> ExactDecimal? {
            guard let text else { return nil }
            switch ExactDecimal.parse(text) {
            case .success(let value): return value
            case .failure:
                throw StoredTotalError.outOfRange(account: record.account, meter: record.meter,
                                                  period: record.period, value: text)
            }
        }
        self.init(account: record.account, meter: record.meter, period: record.period, dimensions: record.dimensions,
                  events: record.events, sum: try decimal(record.sum) ?? .zero, min: try decimal(record.min),
                  max: try decimal(record.max), latest: try decimal(record.latest?.value), uniqueCount: record.uniqueCount)
    }
}

/// A stored figure the exact decimal type cannot hold.
public enum StoredTotalError: Error, CustomStringConvertible {
    case outOfRange(account: String, meter: String, period: String, value: String)

    public var description: String {
        switch self {
        case .outOfRange(let account, let meter, let period, let value):
            "total \(value) of \(account)/\(meter)/\(period) is beyond the quantity range (18 integer, 12 fractional digits)"
        }
    }
}
