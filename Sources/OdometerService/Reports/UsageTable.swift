public import MeteringCore

extension UsageReport {
    /// The rows as an aligned text table for people.
    public static func table(_ rows: [RatedUsage]) -> String {
        let header = ["ACCOUNT", "METER", "PERIOD", "DIMENSIONS", "QUANTITY", "AMOUNT", "EVENTS"]
        let cells = rows.map { row -> [String] in
            let pairs = CanonicalDimensionsText.labels(row.total.dimensions)
            let amount = row.amount.map { "\($0.text) \($0.currency.code)" } ?? "unbilled"
            return [row.total.account, row.total.meter, row.total.period, pairs, row.quantity.description, amount,
                    String(row.total.events)]
        }
        return TextTable(header: header, rows: cells, rightAligned: [4, 5, 6]).render()
    }
}

/// `{"model":"gpt-x"}` → `model=gpt-x` for tables.
enum CanonicalDimensionsText {
    static func labels(_ dimensions: String) -> String {
        let pairs = InvoiceLine.dimensionPairs(dimensions)
        return pairs.isEmpty ? "-" : pairs.map { "\($0.name)=\($0.value)" }.joined(separator: ",")
    }
}
