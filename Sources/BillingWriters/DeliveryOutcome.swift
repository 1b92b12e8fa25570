/// What became of one ``InvoiceDocument`` handed to an ``InvoiceWriter``.
///
/// The relay stores it on the outbox row: `delivered` is final, `failed` waits for a person to fix
/// the cause (its reason says what to fix), `retry` is tried again later with backoff.
public enum DeliveryOutcome: Sendable, Equatable {
    /// The destination holds the invoice; `remoteId` is its id there (Odoo's `account.move` id).
    case delivered(remoteId: String)
    /// Permanent: the remote error verbatim, plus what to fix. Retrying unchanged cannot succeed.
    case failed(reason: String)
    /// Transient (429, 5xx, timeout, database serialization failure) or outcome unknown. Safe to
    /// deliver again: the writer looks the invoice up before it creates anything.
    case retry(reason: String, after: Duration?)
}
