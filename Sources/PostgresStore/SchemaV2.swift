/// Schema version 2: the event-time watermark per partition, and imported accounts.
///
/// - `consumer_offsets.latest_event_time_s`: the greatest event time (Unix seconds) metered
///   from the partition, written with its offsets; `close` refuses while the smallest of them
///   is behind period end plus the grace period.
/// - `accounts`: accounts loaded with `odometer accounts import`, beside those in the file.
enum SchemaV2 {
    static let version = 2
    static let summary = "event-time watermark per partition, imported accounts"

    static let statements: [String] = [
        "ALTER TABLE consumer_offsets ADD COLUMN latest_event_time_s bigint",
        """
        CREATE TABLE accounts (
          id text COLLATE "C" PRIMARY KEY,
          plan text NOT NULL,
          timezone text NOT NULL DEFAULT 'UTC',
          odoo_partner_ref text,
          stripe_customer text,
          lago_subscription text,
          imported_at timestamptz NOT NULL DEFAULT now())
        """,
    ]
}
