public import Logging
public import PostgresNIO

/// Persists period closes: `period_closes`, `invoice_lines` and one outbox row per destination document, in ONE
/// transaction (the outbox pattern, DESIGN §7). Every insert is `ON CONFLICT DO NOTHING`, so recording the same
/// close again changes nothing, and a line once written is never modified here.
/// Stateless apart from the client; thread-safe.
public struct CloseStore: Sendable {
    private let client: PostgresClient
    private let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    public func record(_ close: PeriodCloseRecord) async throws -> CloseOutcome {
        try await client.inTransaction("record the close of \(close.period)", logger: logger) { connection in
            let closes = try await count(connection.checkedQuery("""
                WITH inserted AS (
                  INSERT INTO period_closes (account, period, forced)
                  SELECT a, \(close.period), \(close.forced) FROM unnest(\(close.accounts)::text[]) AS a
                  ON CONFLICT DO NOTHING RETURNING 1)
                SELECT count(*) FROM inserted
                """, logger: logger))
            let lines = close.lines
            let linesInserted = try await count(connection.checkedQuery("""
                WITH inserted AS (
                  INSERT INTO invoice_lines (line_key, account, meter, period, dimensions, version, quantity, amount,
                                             currency, description, billed_period)
                  SELECT k, a, m, p, d, v, q::numeric, am::numeric, c, descr, NULLIF(bp, '')
                  FROM unnest(\(lines.map(\.lineKey))::text[], \(lines.map(\.account))::text[],
                              \(lines.map(\.meter))::text[], \(lines.map(\.period))::text[],
                              \(lines.map(\.dimensions))::text[], \(lines.map(\.version))::integer[],
                              \(lines.map(\.quantity))::text[], \(lines.map(\.amount))::text[],
                              \(lines.map(\.currency))::text[], \(lines.map(\.description))::text[],
                              \(lines.map { $0.billedPeriod ?? "" })::text[])
                       AS l(k, a, m, p, d, v, q, am, c, descr, bp)
                  ON CONFLICT DO NOTHING RETURNING 1)
                SELECT count(*) FROM inserted
                """, logger: logger))
            let documents = close.outbox
            let outboxInserted = try await count(connection.checkedQuery("""
                WITH inserted AS (
                  INSERT INTO outbox (destination, document_key, account, period, line_keys, idempotency_key)
                  SELECT dest, doc, a, p, keys::text[], NULLIF(ik, '')
                  FROM unnest(\(documents.map(\.destination))::text[], \(documents.map(\.documentKey))::text[],
                              \(documents.map(\.account))::text[], \(documents.map(\.period))::text[],
                              \(documents.map { Self.arrayLiteral($0.lineKeys) })::text[],
                              \(documents.map { $0.idempotencyKey ?? "" })::text[])
                       AS o(dest, doc, a, p, keys, ik)
                  ON CONFLICT DO NOTHING RETURNING 1)
                SELECT count(*) FROM inserted
                """, logger: logger))
            return CloseOutcome(closesInserted: closes, linesInserted: linesInserted, outboxInserted: outboxInserted)
        }
    }

    /// Accounts whose `period` is closed.
    public func closedAccounts(period: String) async throws -> Set<String> {
        try await client.withStoreConnection("read closed accounts of \(period)") { connection in
            let rows = try await connection.checkedQuery(
                "SELECT account FROM period_closes WHERE period = \(period)", logger: logger)
            var accounts = Set<String>()
            for try await account in rows.decode(String.self) { accounts.insert(account) }
            return accounts
        }
    }

    /// The periods before `period` that each of `accounts` has closed (for adjustments, DESIGN §6).
    public func earlierCloses(accounts: [String], before period: String) async throws -> [String: Set<String>] {
        try await client.withStoreConnection("read earlier closes before \(period)") { connection in
            let rows = try await connection.checkedQuery("""
                SELECT account, period FROM period_closes
                WHERE account = ANY(\(accounts)::text[]) AND period < \(period)
                """, logger: logger)
            var closes: [String: Set<String>] = [:]
            for try await (account, closed) in rows.decode((String, String).self) { closes[account, default: []].insert(closed) }
            return closes
        }
    }

    /// What the lines written so far bill for each row of these accounts in these periods: every
    /// version summed, exact decimal text.
    public func billedRows(accounts: [String], periods: [String]) async throws -> [BilledRowRecord] {
        try await client.withStoreConnection("read billed lines") { connection in
            let rows = try await connection.checkedQuery("""
                SELECT account, meter, period, dimensions, max(version), sum(quantity)::text, sum(amount)::text,
                       min(currency), count(DISTINCT currency)
                FROM invoice_lines
                WHERE account = ANY(\(accounts)::text[]) AND period = ANY(\(periods)::text[])
                GROUP BY account, meter, period, dimensions
                ORDER BY account, meter, period, dimensions
                """, logger: logger)
            var records: [BilledRowRecord] = []
            for try await (account, meter, period, dimensions, version, quantity, amount, currency, currencies)
                in rows.decode((String, String, String, String, Int32, String, String, String, Int64).self) {
                records.append(BilledRowRecord(account: account, meter: meter, period: period, dimensions: dimensions,
                                               latestVersion: Int(version), quantity: quantity, amount: amount,
                                               currency: currencies == 1 ? currency : "mixed"))
            }
            return records
        }
    }

    private func count(_ rows: PostgresRowSequence) async throws -> Int {
        var total = 0
        for try await value in rows.decode(Int64.self) { total = Int(value) }
        return total
    }

    /// A Postgres array literal of quoted elements: `{"a","b\"c"}`. Inside quotes only `"` and `\` need escaping.
    static func arrayLiteral(_ elements: [String]) -> String {
        var literal = "{"
        for (index, element) in elements.enumerated() {
            if index > 0 { literal += "," }
            literal += "\""
            for character in element.unicodeScalars {
                if character == "\"" || character == "\\" { literal += "\\" }
                literal.unicodeScalars.append(character)
            }
            literal += "\""
        }
        return literal + "}"
    }
}
