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
            let closes = try await count(connection.query("""
                WITH inserted AS (
                  INSERT INTO period_closes (account, period, forced)
                  SELECT a, \(close.period), \(close.forced) FROM unnest(\(close.accounts)::text[]) AS a
                  ON CONFLICT DO NOTHING RETURNING 1)
                SELECT count(*) FROM inserted
                """, logger: logger))
            let lines = close.lines
            let linesInserted = try await count(connection.query("""
                WITH inserted AS (
                  INSERT INTO invoice_lines (line_key, account, meter, period, dimensions, version, quantity, amount,
                                             currency, description)
                  SELECT k, a, m, p, d, v, q::numeric, am::numeric, c, descr
                  FROM unnest(\(lines.map(\.lineKey))::text[], \(lines.map(\.account))::text[],
                              \(lines.map(\.meter))::text[], \(lines.map(\.period))::text[],
                              \(lines.map(\.dimensions))::text[], \(lines.map(\.version))::integer[],
                              \(lines.map(\.quantity))::text[], \(lines.map(\.amount))::text[],
                              \(lines.map(\.currency))::text[], \(lines.map(\.description))::text[])
                       AS l(k, a, m, p, d, v, q, am, c, descr)
                  ON CONFLICT DO NOTHING RETURNING 1)
                SELECT count(*) FROM inserted
                """, logger: logger))
            let documents = close.outbox
            let outboxInserted = try await count(connection.query("""
                WITH inserted AS (
                  INSERT INTO outbox (destination, document_key, account, period, line_keys)
                  SELECT dest, doc, a, p, keys::text[]
                  FROM unnest(\(documents.map(\.destination))::text[], \(documents.map(\.documentKey))::text[],
                              \(documents.map(\.account))::text[], \(documents.map(\.period))::text[],
                              \(documents.map { Self.arrayLiteral($0.lineKeys) })::text[])
                       AS o(dest, doc, a, p, keys)
                  ON CONFLICT DO NOTHING RETURNING 1)
                SELECT count(*) FROM inserted
                """, logger: logger))
            return CloseOutcome(closesInserted: closes, linesInserted: linesInserted, outboxInserted: outboxInserted)
        }
    }

    /// Accounts whose `period` is closed.
    public func closedAccounts(period: String) async throws -> Set<String> {
        try await client.withStoreConnection("read closed accounts of \(period)") { connection in
            let rows = try await connection.query(
                "SELECT account FROM period_closes WHERE period = \(period)", logger: logger)
            var accounts = Set<String>()
            for try await account in rows.decode(String.self) { accounts.insert(account) }
            return accounts
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
