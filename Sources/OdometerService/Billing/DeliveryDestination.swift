public import BillingWriters

/// A configured billing destination with the writer that speaks to it.
///
/// `name` keys its outbox rows. An invoice-shaped destination (Odoo) takes one outbox entry per
/// account and period; a line-shaped one (Stripe, Lago) one entry per line.
public struct DeliveryDestination: Sendable {
    public enum Granularity: Sendable { case invoice, line }

    public let name: String
    public let granularity: Granularity
    public let writer: any InvoiceWriter

    public init(name: String, granularity: Granularity, writer: any InvoiceWriter) {
        self.name = name
        self.granularity = granularity
        self.writer = writer
    }
}
