/// Schema version 3: exactly once under every fault (DESIGN §5, §6).
///
/// - `consumer_offsets.covered_append_ms`: the greatest Kafka append time (Unix ms) of the messages
///   below `next_offset`, written with it by every flush. Close readiness is measured on arrival
///   with it: a partition has metered everything appended before T once it covers T.
/// - `partition_checkpoints`: a sparse history of (next offset, covered append time) per partition,
///   at most one row per dedup generation (an eighth of the window), pruned past two windows. On
///   assignment it says where to start re-reading a partition to rebuild its dedup window.
/// - `offset_resets`: every `odometer offsets reset`, an operator's recorded decision about a
///   partition whose stored offset left its log.
/// - `dead_lettered_offsets`: the offsets a flush dead-lettered, kept as long as the checkpoints. A
///   window rebuild reads the log again with the configuration of today, under which an event
///   dead-lettered then may be valid (a meter was added); it must not remember such an event, or
///   its fixed copy, replayed from the dead-letter topic, would be dropped as a duplicate. One row
///   per invalid event only: valid events cost no row.
enum SchemaV3 {
    static let version = 3
    static let summary = "arrival watermark per partition, dedup checkpoints, offset resets, dead-lettered offsets"

    static let statements: [String] = [
        "ALTER TABLE consumer_offsets ADD COLUMN covered_append_ms bigint",
        """
        CREATE TABLE partition_checkpoints (
          group_id text COLLATE "C" NOT NULL,
          topic text COLLATE "C" NOT NULL,
          partition integer NOT NULL,
          next_offset bigint NOT NULL,
          covered_append_ms bigint NOT NULL,
          recorded_at timestamptz NOT NULL DEFAULT now(),
          PRIMARY KEY (group_id, topic, partition, next_offset))
        """,
        """
        CREATE TABLE offset_resets (
          id bigserial PRIMARY KEY,
          group_id text COLLATE "C" NOT NULL,
          topic text COLLATE "C" NOT NULL,
          partition integer NOT NULL,
          from_offset bigint,
          to_offset bigint NOT NULL,
          requested text NOT NULL,
          log_low bigint NOT NULL,
          log_high bigint NOT NULL,
          reset_by text NOT NULL,
          reset_at timestamptz NOT NULL DEFAULT now())
        """,
        """
        CREATE TABLE dead_lettered_offsets (
          group_id text COLLATE "C" NOT NULL,
          topic text COLLATE "C" NOT NULL,
          partition integer NOT NULL,
          "offset" bigint NOT NULL,
          recorded_at timestamptz NOT NULL DEFAULT now(),
          PRIMARY KEY (group_id, topic, partition, "offset"))
        """,
    ]
}
