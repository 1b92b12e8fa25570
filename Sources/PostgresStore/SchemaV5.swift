/// Schema version 5: what the billing platforms and adjustments need (versions 3 and 4 are the
/// ingest side's).
///
/// - `outbox.id`: a short handle for `odometer deliveries retry --id`.
/// - `outbox.idempotency_key`: the key the destination dedups on (DESIGN §7: it names the
///   destination). Close writes it; Stripe's replayed-500 rule replaces it with `<key>:r1`
///   before anything is sent under the new key. NULL (rows closed before this version) means
///   the key derived from destination and document key.
/// - `outbox.first_attempt_at`: set by the first claim, so a line unacknowledged for 20 h is
///   reconciled before Stripe's key expires.
/// - `invoice_lines.billed_period`: the close that billed the line, when later than its own
///   period (an adjustment, DESIGN §6); NULL for a line billed in its period's own close.
enum SchemaV5 {
    static let version = 5
    static let summary = "outbox ids, per-destination idempotency keys and first attempts; adjustment lines"

    static let statements: [String] = [
        "ALTER TABLE outbox ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY",
        "CREATE UNIQUE INDEX outbox_id ON outbox (id)",
        "ALTER TABLE outbox ADD COLUMN idempotency_key text",
        "ALTER TABLE outbox ADD COLUMN first_attempt_at timestamptz",
        "ALTER TABLE invoice_lines ADD COLUMN billed_period text COLLATE \"C\"",
    ]
}
