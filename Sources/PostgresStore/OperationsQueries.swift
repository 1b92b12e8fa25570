public import Logging
public import PostgresNIO

/// Where ingest stands on one partition, as `consumer_offsets` records it.
public struct PartitionProgress: Sendable, Hashable {
    public var partition: Int32
    /// The next offset to meter: everything before it is in the totals.
    public var nextOffset: Int64
    /// Kafka's append time (Unix milliseconds) up to which the partition is metered: every
    /// message appended before it is in the totals (DESIGN §6); nil before any message.
    public var coveredAppendMilliseconds: Int64?
    /// The instance that holds the partition (`IngestSettings.owner`).
    public var owner: String

    public init(partition: Int32, nextOffset: Int64, coveredAppendMilliseconds: Int64?, owner: String) {
        self.partition = partition
        self.nextOffset = nextOffset
        self.coveredAppendMilliseconds = coveredAppendMilliseconds
        self.owner = owner
    }
}

/// A period with totals that some account has not closed yet.
public struct OpenPeriodRecord: Sendable, Hashable {
    public var period: String
    /// Accounts with totals in the period and no close recorded for it.
    public var openAccounts: Int
    /// Totals rows (account, meter, dimensions) of those accounts in the period.
    public var rows: Int64

    public init(period: String, openAccounts: Int, rows: Int64) {
        self.period = period
        self.openAccounts = openAccounts
        self.rows = rows
    }
}

/// How many outbox entries one destination has in one status.
public struct OutboxCount: Sendable, Hashable {
    public var destination: String
    public var status: OutboxStatus
    public var count: Int

    public init(destination: String, status: OutboxStatus, count: Int) {
        self.destination = destination
        self.status = status
        self.count = count
    }
}

/// Read-only views for operators: ingest progress per partition, open periods, outbox depth.
/// Each is one statement; the status page and the metrics sampler run them every few seconds.
/// Stateless apart from the client; thread-safe.
public struct OperationsQueries: Sendable {
    private let client: PostgresClient
    private let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Every partition `group` has claimed on `topic`, by partition.
    public func partitionProgress(group: String, topic: String) async throws -> [Int32: PartitionProgress] {
        try await client.withStoreConnection("read partition progress of \(topic)") { connection in
            let rows = try await connection.checkedQuery("""
                SELECT partition, next_offset, covered_append_ms, owner FROM consumer_offsets
                WHERE group_id = \(group) AND topic = \(topic)
                """, logger: logger)
            var result: [Int32: PartitionProgress] = [:]
            for try await (partition, next, latest, owner) in rows.decode((Int32, Int64, Int64?, String).self) {
                result[partition] = PartitionProgress(partition: partition, nextOffset: next, coveredAppendMilliseconds: latest,
                                                      owner: owner)
            }
            return result
        }
    }

    /// Periods with totals of accounts that have not closed them, oldest first. Reads every
    /// totals row (one sequential scan); meant for a sampler every tens of seconds.
    public func openPeriods() async throws -> [OpenPeriodRecord] {
        try await client.withStoreConnection("read open periods") { connection in
            let rows = try await connection.checkedQuery("""
                SELECT t.period, count(DISTINCT t.account)::bigint, count(*)::bigint
                FROM usage_totals t
                WHERE NOT EXISTS (SELECT 1 FROM period_closes c WHERE c.account = t.account AND c.period = t.period)
                GROUP BY t.period ORDER BY t.period
                """, logger: logger)
            var result: [OpenPeriodRecord] = []
            for try await (period, accounts, rows) in rows.decode((String, Int64, Int64).self) {
                result.append(OpenPeriodRecord(period: period, openAccounts: Int(accounts), rows: rows))
            }
            return result
        }
    }

    /// Outbox entries per destination and status (statuses without entries are left out).
    public func outboxCounts() async throws -> [OutboxCount] {
        try await client.withStoreConnection("count outbox entries") { connection in
            let rows = try await connection.checkedQuery("""
                SELECT destination, status, count(*)::bigint FROM outbox GROUP BY destination, status
                ORDER BY destination, status
                """, logger: logger)
            var result: [OutboxCount] = []
            for try await (destination, status, count) in rows.decode((String, String, Int64).self) {
                guard let status = OutboxStatus(rawValue: status) else { continue }
                result.append(OutboxCount(destination: destination, status: status, count: Int(count)))
            }
            return result
        }
    }
}
