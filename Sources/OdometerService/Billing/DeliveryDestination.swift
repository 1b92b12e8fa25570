public import BillingWriters

/// A configured billing destination with the writer that speaks to it and the gate that paces
/// both the writer's calls and the relay's claims.
///
/// `name` keys its outbox rows. An invoice-shaped destination (Odoo) takes one outbox entry per
/// account and period; a line-shaped one (Stripe, Lago) one entry per line.
public struct DeliveryDestination: Sendable {
    public enum Granularity: Sendable { case invoice, line }

    public let name: String
    public let granularity: Granularity
    public let writer: any InvoiceWriter
    /// The gate the writer's calls pass; the relay claims nothing while it is closed.
    public let pacer: (any CallPacer)?

    public init(name: String, granularity: Granularity, writer: any InvoiceWriter, pacer: (any CallPacer)? = nil) {
        self.name = name
        self.granularity = granularity
        self.writer = writer
        self.pacer = pacer
    }
}
