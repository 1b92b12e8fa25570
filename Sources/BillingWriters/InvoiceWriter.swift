public import MeteringCore

/// A billing destination (Odoo, Stripe, Lago) that receives invoices in micro-batches.
///
/// Conformers guarantee that delivering the same document again, after a retry or a crash and
/// restart, never bills twice: they search the destination by the document's `key` before they
/// create. Conformers are thread-safe; a relay may call `deliver` from any task.
public protocol InvoiceWriter: Sendable {
    /// Shown in `odometer deliveries` and logs, e.g. `odoo:https://erp.example.com/prod`.
    var destinationName: String { get }

    /// Delivers a micro-batch and returns exactly one outcome per distinct document key.
    /// Never throws: every problem becomes a `failed` or `retry` outcome of the documents it hit.
    func deliver(_ documents: [InvoiceDocument]) async -> [String: DeliveryOutcome]
}
