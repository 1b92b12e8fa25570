public import Logging
public import PostgresNIO

/// Read-only views of the metered totals, for `odometer usage`, close and tests.
///
/// Every read goes through `usage_current` and `usage_unique_current` (schema v4): the compacted totals plus the
/// deltas not compacted yet, in one statement, so each event counts exactly once whether a compaction ran
/// before, runs during, or has not run. Numerics come back as text (`::text`) so no precision is lost.
/// Stateless apart from the client; thread-safe.
public struct UsageQueries: Sendable {
    private let client: PostgresClient
    private let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Every total, optionally of one account and/or one period, sorted by account, meter, period, dimensions
    /// (byte order). `uniqueCount` counts the key's UNIQUE_COUNT members.
    public func totals(account: String? = nil, period: String? = nil) async throws -> [UsageTotalRecord] {
        try await client.withStoreConnection("read usage totals") { connection in
            let rows = try await connection.checkedQuery("""
                WITH uniques AS (
                  SELECT account, meter, period, dimensions, count(*) AS members FROM usage_unique_current
                  WHERE (\(account)::text IS NULL OR account = \(account)) AND (\(period)::text IS NULL OR period = \(period))
                  GROUP BY account, meter, period, dimensions)
                SELECT t.account, t.meter, t.period, t.dimensions, t.events, t.sum_value::text,
                       t.min_value::text, t.max_value::text, t.latest[5]::text,
                       t.latest[1]::bigint, t.latest[2]::integer, t.latest[3]::integer, t.latest[4]::bigint,
                       coalesce(u.members, 0) AS unique_count
                FROM usage_current t
                LEFT JOIN uniques u USING (account, meter, period, dimensions)
                WHERE (\(account)::text IS NULL OR t.account = \(account))
                  AND (\(period)::text IS NULL OR t.period = \(period))
                ORDER BY t.account, t.meter, t.period, t.dimensions
                """, logger: logger)
            var records: [UsageTotalRecord] = []
            for try await row in rows {
                let (account, meter, period, dimensions, events, sum, min, max,
                     latestValue, seconds, nanos, partition, offset, uniqueCount) =
                    try row.decode((String, String, String, String, Int64, String, String?, String?,
                                    String?, Int64?, Int32?, Int32?, Int64?, Int64).self)
                var latest: LatestSample?
                if let latestValue, let seconds, let nanos, let partition, let offset {
                    latest = LatestSample(value: latestValue, position: EventPosition(
                        timeSeconds: seconds, timeNanos: nanos, partition: partition, offset: offset))
                }
                records.append(UsageTotalRecord(account: account, meter: meter, period: period, dimensions: dimensions,
                                                events: events, sum: sum, min: min, max: max, latest: latest,
                                                uniqueCount: uniqueCount))
            }
            return records
        }
    }

    /// Sum of `events` over every total.
    public func eventsTotal() async throws -> Int64 {
        try await scalar("count metered events", """
            SELECT coalesce(sum(events), 0)::bigint FROM (
              SELECT events FROM usage_totals UNION ALL SELECT events FROM usage_deltas) AS stored
            """)
    }

    /// Number of totals rows (distinct keys), counted by Postgres.
    public func totalsCount() async throws -> Int64 {
        try await scalar("count totals", "SELECT count(*) FROM usage_current")
    }

    private func scalar(_ purpose: String, _ sql: PostgresQuery) async throws -> Int64 {
        try await client.withStoreConnection(purpose) { connection in
            let rows = try await connection.checkedQuery(sql, logger: logger)
            var value: Int64 = 0
            for try await row in rows.decode(Int64.self) { value = row }
            return value
        }
    }

    /// The recorded offset and epoch of every partition of `topic` for `group`.
    public func offsets(group: String, topic: String) async throws -> [Int32: PartitionClaim] {
        try await PartitionOffsetStore(client: client, logger: logger).read(group: group, topic: topic)
    }
}
