/// The SQL of a compaction: the oldest delta batches, merged into `usage_totals` and
/// `usage_unique_values` and deleted from the delta tables, in one REPEATABLE READ transaction.
enum CompactionStatements {
    /// Only one compactor works at a time across instances (the lock ends with its transaction).
    static let lock = "SELECT pg_try_advisory_xact_lock(7310034386743412082)"

    /// The newest batch to compact: the oldest batches whose rows, before each, add up to less
    /// than `maxRows` (always at least one batch), and their total rows.
    static func upperBatch(maxRows: Int) -> String {
        """
        SELECT max(batch_id), coalesce(sum(rows), 0)::bigint, coalesce(sum(unique_rows), 0)::bigint FROM (
          SELECT batch_id, rows, unique_rows, sum(rows + unique_rows) OVER (ORDER BY batch_id) - rows - unique_rows AS before
          FROM usage_delta_batches
        ) AS running WHERE before < \(maxRows)
        """
    }

    /// Lets the grouping of a large backlog stay in memory; lasts until the end of the transaction.
    static let workMemory = "SET LOCAL work_mem = '256MB'"

    /// Merges the deltas of batches up to `upper` into the totals (`deleteDeltas` removes them
    /// next, in the same transaction). Deltas of one key are grouped first; the LATEST candidate
    /// of a group is the greatest array [time_s, time_ns, partition, offset, value] (arrays of
    /// numeric compare element by element, exactly: the order of (time, partition, offset)).
    /// Rows go in primary-key order: the index is walked in order (about twice as fast as at
    /// random for new keys) and two merges could never deadlock. Returns the number of totals
    /// rows inserted or updated.
    ///
    /// The deltas are read here and deleted by a second statement, not moved by one
    /// `DELETE … RETURNING`: under the compaction's REPEATABLE READ snapshot both statements see
    /// the same rows (a flush that commits meanwhile is invisible to both), and the merge reads
    /// the table instead of a materialized copy of every deleted row. Measured in psql on
    /// 1,060,000 deltas of 317,347 keys (2026-12-04, alternating, three each): 5.2, 5.6, 5.7 s
    /// with `DELETE … RETURNING`; 4.3, 4.3, 4.8 s as two statements.
    static func mergeTotals(upTo upper: Int64) -> String {
        """
        WITH merged AS (
        INSERT INTO usage_totals AS t (account, meter, period, dimensions, events, sum_value, min_value, max_value,
                                       latest_value, latest_time_s, latest_time_ns, latest_partition, latest_offset)
        SELECT account, meter, period, dimensions, events, sum_value, min_value, max_value,
               latest[5], latest[1]::bigint, latest[2]::integer, latest[3]::integer, latest[4]::bigint
        FROM (
          SELECT account, meter, period, dimensions,
                 sum(events)::bigint AS events, sum(sum_value) AS sum_value,
                 min(min_value) AS min_value, max(max_value) AS max_value,
                 max(ARRAY[latest_time_s::numeric, latest_time_ns, latest_partition, latest_offset, latest_value])
                   FILTER (WHERE latest_time_s IS NOT NULL) AS latest
          FROM usage_deltas WHERE batch_id <= \(upper)
          GROUP BY account, meter, period, dimensions
        ) AS grouped
        ORDER BY account, meter, period, dimensions
        ON CONFLICT (account, meter, period, dimensions) DO UPDATE SET
          events = t.events + EXCLUDED.events,
          sum_value = t.sum_value + EXCLUDED.sum_value,
          min_value = LEAST(t.min_value, EXCLUDED.min_value),
          max_value = GREATEST(t.max_value, EXCLUDED.max_value),
          latest_value = CASE WHEN \(newerLatest) THEN EXCLUDED.latest_value ELSE t.latest_value END,
          latest_time_s = CASE WHEN \(newerLatest) THEN EXCLUDED.latest_time_s ELSE t.latest_time_s END,
          latest_time_ns = CASE WHEN \(newerLatest) THEN EXCLUDED.latest_time_ns ELSE t.latest_time_ns END,
          latest_partition = CASE WHEN \(newerLatest) THEN EXCLUDED.latest_partition ELSE t.latest_partition END,
          latest_offset = CASE WHEN \(newerLatest) THEN EXCLUDED.latest_offset ELSE t.latest_offset END,
          updated_at = now()
        RETURNING 1)
        SELECT count(*)::bigint FROM merged
        """
    }

    /// Removes the deltas `mergeTotals` merged (the same snapshot sees the same rows).
    static func deleteDeltas(upTo upper: Int64) -> String {
        "DELETE FROM usage_deltas WHERE batch_id <= \(upper)"
    }

    /// True when the incoming LATEST is later than the stored one, or the stored row has none.
    private static let newerLatest = """
        (t.latest_time_s IS NULL AND EXCLUDED.latest_time_s IS NOT NULL \
        OR (EXCLUDED.latest_time_s, EXCLUDED.latest_time_ns, EXCLUDED.latest_partition, EXCLUDED.latest_offset) \
        > (t.latest_time_s, t.latest_time_ns, t.latest_partition, t.latest_offset))
        """

    /// Adds the UNIQUE_COUNT members of batches up to `upper` (`deleteUniqueDeltas` removes them next).
    static func mergeUniqueValues(upTo upper: Int64) -> String {
        """
        INSERT INTO usage_unique_values (account, meter, period, dimensions, value)
        SELECT DISTINCT account, meter, period, dimensions, value FROM usage_unique_deltas WHERE batch_id <= \(upper)
        ORDER BY account, meter, period, dimensions, value
        ON CONFLICT DO NOTHING
        """
    }

    static func deleteUniqueDeltas(upTo upper: Int64) -> String {
        "DELETE FROM usage_unique_deltas WHERE batch_id <= \(upper)"
    }

    /// What follows `mergeTotals` in a compaction, in order.
    static func afterTotals(upTo upper: Int64) -> [String] {
        [deleteDeltas(upTo: upper), mergeUniqueValues(upTo: upper), deleteUniqueDeltas(upTo: upper),
         forgetBatches(upTo: upper)]
    }

    static func forgetBatches(upTo upper: Int64) -> String {
        "DELETE FROM usage_delta_batches WHERE batch_id <= \(upper)"
    }

    static let backlog = """
        SELECT count(*)::bigint, coalesce(sum(rows), 0)::bigint, coalesce(sum(unique_rows), 0)::bigint,
               (coalesce(extract(epoch FROM now() - min(created_at)), 0) * 1000)::bigint
        FROM usage_delta_batches
        """
}
