/// What became of one document handed to a billing destination's writer.
///
/// The relay turns it into the document's next state through ``OutboxLifecycle``: `delivered`
/// is final, `failed` waits for a person to fix the cause (its reason says what to fix),
/// `retry` is tried again later with backoff, `rekey` is tried again at once under a new
/// idempotency key that the relay stores first. A value type.
public enum DeliveryOutcome: Sendable, Equatable {
    /// The destination holds the document; `remoteId` is its id there (Odoo's `account.move`
    /// id, Stripe's `ii_…`, Lago's `lago_id`).
    case delivered(remoteId: String)
    /// Permanent: the remote error verbatim, plus what to fix. Retrying unchanged cannot succeed.
    case failed(reason: String)
    /// Transient (429, 5xx, timeout, database serialization failure) or outcome unknown. Safe to
    /// deliver again: the writer's idempotency key or search keeps it from billing twice.
    /// `after` is the destination's own hint (`Retry-After`), if it gave one.
    case retry(reason: String, after: Duration?)
    /// The current idempotency key can never succeed (Stripe replays a stored 500 under it) and
    /// reconciliation found nothing billed: store `newKey` with the document, then send again
    /// under it. Never sent before it is stored, so a crash cannot lose the key in use.
    case rekey(newKey: String, reason: String)
}
