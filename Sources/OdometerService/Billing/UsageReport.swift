public import Logging
public import MeteringCore
public import PostgresNIO
import PostgresStore

/// `odometer usage`: the rated totals, one row per (account, meter, period, dimensions).
public enum UsageReport {
    public static func rows(postgres: PostgresClient, pricer: UsagePricer, account: String?, period: String?,
                            logger: Logger) async throws -> [RatedUsage] {
        let records = try await UsageQueries(client: postgres, logger: logger).totals(account: account, period: period)
        return try records.map { try pricer.price(try UsageTotal(record: $0)) }
    }

    /// The row as one JSON object (DESIGN §4):
    /// `{"account","meter","period","dimensions":{},"quantity","amount"|null,"currency","events","unbilled"}`.
    public static func json(_ usage: RatedUsage) -> String {
        let total = usage.total
        let amount = usage.amount.map { quoted($0.text) } ?? "null"
        let currency = usage.currency.map { quoted($0.code) } ?? "null"
        return "{\"account\":\(quoted(total.account)),\"meter\":\(quoted(total.meter)),"
            + "\"period\":\(quoted(total.period)),\"dimensions\":\(total.dimensions),"
            + "\"quantity\":\(quoted(usage.quantity.description)),\"amount\":\(amount),\"currency\":\(currency),"
            + "\"events\":\(total.events),\"unbilled\":\(usage.unbilled)}"
    }

    /// A JSON string literal.
    public static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let control where control.value < 0x20:
                let hex = String(control.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
