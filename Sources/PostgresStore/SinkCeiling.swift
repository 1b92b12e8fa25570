public import Logging
public import PostgresNIO

/// The Postgres sink ceiling for `bench`: how fast plain COPY puts delta rows into a table shaped
/// like the one a flush appends to (`usage_deltas`), in one transaction, with nothing else in
/// it: no fencing, no offsets. A scratch table is made and dropped.
public enum SinkCeiling {
    /// COPYs `rows` in one transaction; returns the seconds it took.
    public static func copy(_ rows: TotalsCopyRows, client: PostgresClient, logger: Logger) async throws -> Double {
        try await client.withStoreConnection("measure the COPY ceiling") { connection in
            try await connection.query("DROP TABLE IF EXISTS odometer_bench_sink", logger: logger)
            try await connection.query("""
                CREATE TABLE odometer_bench_sink (LIKE usage_deltas INCLUDING ALL)
                WITH (autovacuum_enabled = false)
                """, logger: logger)
            let started = ContinuousClock.now
            try await connection.query("BEGIN", logger: logger)
            try await TotalsFlushWriter.copy(rows.text, batch: 1, into: "odometer_bench_sink", columns: TotalsCopyRows.columns,
                                             on: connection, logger: logger)
            try await connection.query("COMMIT", logger: logger)
            let elapsed = started.duration(to: .now)
            try await connection.query("DROP TABLE odometer_bench_sink", logger: logger)
            return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        }
    }
}
