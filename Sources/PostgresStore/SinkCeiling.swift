public import Logging
public import PostgresNIO

/// The Postgres sink ceiling for `bench`: how fast plain COPY puts the rows a flush writes
/// (totals deltas in their two column shapes, and UNIQUE_COUNT members) into tables shaped like
/// the ones a flush appends to (`usage_deltas`, `usage_unique_deltas`), in one transaction, with nothing else in it: no
/// fencing, no offsets. Scratch tables are made and dropped. A ceiling is the best the sink
/// can do, and one COPY's time varies with the disk's flush of its WAL: the best of `attempts`.
public enum SinkCeiling {
    /// COPYs the rows in one transaction, `attempts` times; returns the seconds the fastest took.
    public static func copy(_ totals: TotalsCopyRows, _ uniqueValues: UniqueValueCopyRows, attempts: Int = 3,
                            client: PostgresClient, logger: Logger) async throws -> Double {
        var best = Double.infinity
        for _ in 0..<max(1, attempts) {
            best = min(best, try await copyOnce(totals, uniqueValues, client: client, logger: logger))
        }
        return best
    }

    private static func copyOnce(_ totals: TotalsCopyRows, _ uniqueValues: UniqueValueCopyRows, client: PostgresClient,
                                 logger: Logger) async throws -> Double {
        try await client.withStoreConnection("measure the COPY ceiling") { connection in
            for (scratch, like) in tables {
                try await connection.checkedQuery(PostgresQuery(unsafeSQL: "DROP TABLE IF EXISTS \(scratch)"), logger: logger)
                try await connection.checkedQuery(PostgresQuery(unsafeSQL: """
                    CREATE TABLE \(scratch) (LIKE \(like) INCLUDING ALL) WITH (autovacuum_enabled = false)
                    """), logger: logger)
            }
            let started = ContinuousClock.now
            try await connection.inTransaction(logger: logger) {
                for (rows, columns) in totals.streams {
                    try await TotalsFlushWriter.copy(rows, batch: 1, into: tables[0].scratch, columns: columns,
                                                     on: connection, logger: logger)
                }
                if !uniqueValues.isEmpty {
                    try await TotalsFlushWriter.copy(uniqueValues.text, batch: 1, into: tables[1].scratch,
                                                     columns: UniqueValueCopyRows.columns, on: connection, logger: logger)
                }
            }
            let elapsed = started.duration(to: .now)
            for (scratch, _) in tables {
                try await connection.checkedQuery(PostgresQuery(unsafeSQL: "DROP TABLE \(scratch)"), logger: logger)
            }
            return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        }
    }

    private static let tables = [(scratch: "odometer_bench_sink", like: "usage_deltas"),
                                 (scratch: "odometer_bench_unique_sink", like: "usage_unique_deltas")]
}
