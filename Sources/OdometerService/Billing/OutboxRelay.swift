import BillingWriters
import Foundation
public import Logging
public import MeteringCore
public import PostgresNIO
import PostgresStore

/// Delivers one destination's outbox: claims entries under a lease (so several instances are
/// safe and a crash mid-call is retried), builds the documents from the stored invoice lines,
/// posts them in micro-batches, and records each outcome. Idempotency lives in the writers;
/// the relay never marks anything delivered without a remote id.
public struct OutboxRelay: Sendable {
    public let destination: DeliveryDestination
    let postgres: PostgresClient
    let accounts: [String: Account]
    let batchSize: Int
    let lease: Duration
    let backoff: RetryBackoff
    let logger: Logger

    public init(destination: DeliveryDestination, postgres: PostgresClient, accounts: [String: Account],
                batchSize: Int = 100, lease: Duration = .seconds(120), backoff: RetryBackoff = RetryBackoff(),
                logger: Logger) {
        self.destination = destination
        self.postgres = postgres
        self.accounts = accounts
        self.batchSize = batchSize
        self.lease = lease
        self.backoff = backoff
        self.logger = logger
    }

    /// Delivers until nothing is claimable right now, or `stop` says so between batches; returns
    /// what happened.
    @discardableResult
    public func drain(until stop: () -> Bool = { false }) async throws -> RelayReport {
        let store = OutboxStore(client: postgres, logger: logger)
        var report = RelayReport()
        while !stop() {
            let entries = try await store.claim(destination: destination.name, limit: batchSize, lease: lease)
            if entries.isEmpty { return report }
            let lines = try await store.invoiceLines(keys: entries.flatMap(\.lineKeys))
            let byKey = Dictionary(lines.map { ($0.lineKey, $0) }, uniquingKeysWith: { first, _ in first })
            var documents: [InvoiceDocument] = []
            var built: Set<String> = []
            for entry in entries {
                guard let document = document(for: entry, lines: byKey) else {
                    try await store.markFailed(destination: destination.name, documentKey: entry.documentKey,
                                               error: "its invoice lines are missing from invoice_lines")
                    report.failed += 1
                    continue
                }
                documents.append(document)
                built.insert(entry.documentKey)
            }
            let outcomes = await destination.writer.deliver(documents)
            var random = SystemRandomNumberGenerator()
            for entry in entries where built.contains(entry.documentKey) {
                switch outcomes[entry.documentKey] ?? .retry(reason: "the writer returned no outcome", after: nil) {
                case .delivered(let remoteId):
                    try await store.markDelivered(destination: destination.name, documentKey: entry.documentKey, remoteId: remoteId)
                    report.delivered += 1
                    DeliveryMetrics.delivered(destination.name)
                case .failed(let reason):
                    try await store.markFailed(destination: destination.name, documentKey: entry.documentKey, error: reason)
                    logger.error("delivery failed", metadata: ["destination": "\(destination.name)",
                                                               "document": "\(entry.documentKey)", "reason": "\(reason)"])
                    report.failed += 1
                    DeliveryMetrics.failed(destination.name)
                case .retry(let reason, let after):
                    let delay = backoff.delay(afterAttempts: Int(entry.attempts), serverHint: after, using: &random)
                    try await store.reschedule(destination: destination.name, documentKey: entry.documentKey,
                                               after: delay, error: reason)
                    report.retrying += 1
                    DeliveryMetrics.retried(destination.name)
                }
            }
        }
        return report
    }

    /// Drains every `interval` until cancelled (for `serve`).
    public func run(interval: Duration = .seconds(1)) async throws {
        while !Task.isCancelled {
            do {
                try await drain()
            } catch {
                logger.error("outbox relay pass failed: \(error)", metadata: ["destination": "\(destination.name)"])
            }
            try await Task.sleep(for: interval)
        }
    }

    private func document(for entry: OutboxEntry, lines: [String: InvoiceLineRecord]) -> InvoiceDocument? {
        let records = entry.lineKeys.compactMap { lines[$0] }
        guard records.count == entry.lineKeys.count, let first = records.first,
              let currency = Currency(code: first.currency), let period = BillingPeriod(entry.period) else { return nil }
        return InvoiceDocument(
            key: entry.documentKey, account: entry.account, period: entry.period, invoiceDate: period.lastDayText,
            currency: currency.code, currencyMinorUnits: currency.minorUnits,
            odooPartnerRef: accounts[entry.account]?.odooPartnerRef,
            lines: records.map {
                InvoiceDocumentLine(lineKey: $0.lineKey, meter: $0.meter, description: $0.description,
                                    quantity: $0.quantity, amount: $0.amount)
            })
    }
}

/// Outcomes of one relay pass.
public struct RelayReport: Sendable, Equatable {
    public var delivered = 0
    public var failed = 0
    public var retrying = 0

    public init(delivered: Int = 0, failed: Int = 0, retrying: Int = 0) {
        self.delivered = delivered
        self.failed = failed
        self.retrying = retrying
    }
}
