/// Schema version 4: an append-only sink (issue 13). A flush COPYs its deltas into tables without
/// any index, beside its fenced offsets; a compactor later folds them into `usage_totals` and
/// `usage_unique_values` in bulk, moving and merging in one transaction. Every read goes through
/// `usage_current` and `usage_unique_current`, which add the deltas not compacted yet, so a
/// reader sees each event exactly once whether or not it was compacted.
///
/// - `usage_delta_batches`: one row per flushed batch (its rows), so the backlog is counted
///   without scanning the deltas; the compactor takes the oldest batches first.
/// - The delta tables take their `batch_id` from the flush's `nextval` (here `currval` as the
///   column default; version 6 drops it, and the flush sends the id in every row). They are only appended to and deleted from, so
///   autovacuum is told to visit them after every 200,000 dead rows instead of a share of the table.
enum SchemaV4 {
    static let version = 4
    static let summary = "append-only delta tables, their compaction backlog, and the current-totals views"

    static let statements: [String] = [
        "CREATE SEQUENCE usage_delta_batch_ids",
        """
        CREATE TABLE usage_delta_batches (
          batch_id bigint PRIMARY KEY,
          rows bigint NOT NULL,
          unique_rows bigint NOT NULL,
          created_at timestamptz NOT NULL DEFAULT now())
        """,
        """
        CREATE TABLE usage_deltas (
          batch_id bigint NOT NULL DEFAULT currval('usage_delta_batch_ids'),
          account text COLLATE "C" NOT NULL,
          meter text COLLATE "C" NOT NULL,
          period text COLLATE "C" NOT NULL,
          dimensions text COLLATE "C" NOT NULL,
          events bigint NOT NULL,
          sum_value numeric NOT NULL,
          min_value numeric,
          max_value numeric,
          latest_value numeric,
          latest_time_s bigint,
          latest_time_ns integer,
          latest_partition integer,
          latest_offset bigint
        ) WITH (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 200000)
        """,
        """
        CREATE TABLE usage_unique_deltas (
          batch_id bigint NOT NULL DEFAULT currval('usage_delta_batch_ids'),
          account text COLLATE "C" NOT NULL,
          meter text COLLATE "C" NOT NULL,
          period text COLLATE "C" NOT NULL,
          dimensions text COLLATE "C" NOT NULL,
          value text COLLATE "C" NOT NULL
        ) WITH (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 200000)
        """,
        """
        CREATE VIEW usage_current AS
        SELECT account, meter, period, dimensions,
               sum(events)::bigint AS events, sum(sum_value) AS sum_value,
               min(min_value) AS min_value, max(max_value) AS max_value,
               max(ARRAY[latest_time_s::numeric, latest_time_ns, latest_partition, latest_offset, latest_value])
                 FILTER (WHERE latest_time_s IS NOT NULL) AS latest
        FROM (
          SELECT account, meter, period, dimensions, events, sum_value, min_value, max_value,
                 latest_value, latest_time_s, latest_time_ns, latest_partition, latest_offset FROM usage_totals
          UNION ALL
          SELECT account, meter, period, dimensions, events, sum_value, min_value, max_value,
                 latest_value, latest_time_s, latest_time_ns, latest_partition, latest_offset FROM usage_deltas
        ) AS stored
        GROUP BY account, meter, period, dimensions
        """,
        """
        CREATE VIEW usage_unique_current AS
        SELECT account, meter, period, dimensions, value FROM usage_unique_values
        UNION
        SELECT account, meter, period, dimensions, value FROM usage_unique_deltas
        """,
    ]
}
