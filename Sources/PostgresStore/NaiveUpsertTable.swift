public import Logging
public import PostgresNIO

/// The naive sink `bench` compares against: one transaction per event that upserts each of its
/// meter rows and moves the partition's offset, into scratch tables shaped like the real ones.
public struct NaiveUpsertTable: Sendable {
    /// One meter row of one event.
    public struct Row: Sendable {
        public var account: String
        public var meter: String
        public var period: String
        public var dimensions: String
        public var quantity: String

        public init(account: String, meter: String, period: String, dimensions: String, quantity: String) {
            self.account = account
            self.meter = meter
            self.period = period
            self.dimensions = dimensions
            self.quantity = quantity
        }
    }

    private let client: PostgresClient
    private let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    public func create() async throws {
        _ = try await client.withStoreConnection("create the naive tables") { connection in
            try await connection.checkedQuery("DROP TABLE IF EXISTS odometer_bench_naive, odometer_bench_naive_offsets",
                                              logger: logger)
            try await connection.checkedQuery("CREATE TABLE odometer_bench_naive (LIKE usage_totals INCLUDING ALL)",
                                              logger: logger)
            try await connection.checkedQuery("""
                CREATE TABLE odometer_bench_naive_offsets (partition int PRIMARY KEY, next_offset bigint NOT NULL)
                """, logger: logger)
        }
    }

    public func drop() async throws {
        _ = try await client.withStoreConnection("drop the naive tables") { connection in
            try await connection.checkedQuery("DROP TABLE IF EXISTS odometer_bench_naive, odometer_bench_naive_offsets",
                                              logger: logger)
        }
    }

    /// One event: its rows and its offset, in one transaction.
    public func apply(_ rows: [Row], partition: Int32, nextOffset: Int64) async throws {
        try await client.inTransaction("naive upsert", logger: logger) { connection in
            for row in rows {
                try await connection.checkedQuery("""
                    INSERT INTO odometer_bench_naive (account, meter, period, dimensions, events, sum_value)
                    VALUES (\(row.account), \(row.meter), \(row.period), \(row.dimensions), 1, \(row.quantity)::numeric)
                    ON CONFLICT (account, meter, period, dimensions) DO UPDATE
                    SET events = odometer_bench_naive.events + 1,
                        sum_value = odometer_bench_naive.sum_value + excluded.sum_value
                    """, logger: logger)
            }
            try await connection.checkedQuery("""
                INSERT INTO odometer_bench_naive_offsets VALUES (\(partition), \(nextOffset))
                ON CONFLICT (partition) DO UPDATE SET next_offset = excluded.next_offset
                """, logger: logger)
        }
    }
}
