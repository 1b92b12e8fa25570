import Foundation
public import Logging
public import MeteringCore
import OdometerService
public import PostgresNIO

/// What `usage --json` prints, parsed into the recount's shape: key → (quantity, events).
public enum UsageFigures {
    public static func read(postgres: PostgresClient, meters: [Meter], logger: Logger) async throws -> [String: Recount.Figure] {
        let pricer = UsagePricer(meters: meters, plans: [], accounts: [])
        let rows = try await UsageReport.rows(postgres: postgres, pricer: pricer, account: nil, period: nil, logger: logger)
        var result: [String: Recount.Figure] = [:]
        for row in rows {
            let object = try JSONSerialization.jsonObject(with: Data(UsageReport.json(row).utf8)) as! [String: Any]
            let key = Recount.key(account: object["account"] as! String, meter: object["meter"] as! String,
                                  period: object["period"] as! String, dimensions: object["dimensions"] as! [String: String])
            result[key] = Recount.Figure(quantity: object["quantity"] as! String, events: object["events"] as! Int)
        }
        return result
    }

    /// A readable list of every difference between `actual` and `expected` (empty when equal).
    public static func differences(_ actual: [String: Recount.Figure], _ expected: [String: Recount.Figure]) -> [String] {
        var lines: [String] = []
        for key in Set(actual.keys).union(expected.keys).sorted() where actual[key] != expected[key] {
            lines.append("\(key): usage says \(actual[key].map(String.init(describing:)) ?? "nothing"), "
                         + "recount \(expected[key].map(String.init(describing:)) ?? "nothing")")
        }
        return lines
    }
}
