import BillingWriters
import Foundation
public import Logging
public import MeteringCore
public import PostgresNIO
import PostgresStore

/// Delivers one destination's outbox. It claims entries under a lease (so several instances
/// are safe and a crash mid-call is retried), builds the documents from the stored invoice
/// lines, hands them to the writer in micro-batches, and carries out what
/// ``OutboxLifecycle`` decides for each outcome: mark delivered, mark failed, reschedule with
/// the document's own backoff, or store a new idempotency key. Idempotency lives in the
/// writers; the relay never marks anything delivered without a remote id, and claims nothing
/// while the destination's gate is closed (breaker open, paused after a 429).
public struct OutboxRelay: Sendable {
    public let destination: DeliveryDestination
    let postgres: PostgresClient
    let accounts: [String: Account]
    let batchSize: Int
    /// Batches in flight at once; claims never overlap (`FOR UPDATE SKIP LOCKED`), so each worker
    /// owns its own documents. More than one pays off where one batch waits on the destination
    /// (Odoo's several calls per batch).
    let workers: Int
    let lease: Duration
    let backoff: RetryBackoff
    let clock: ContinuousClock
    let logger: Logger

    public init(destination: DeliveryDestination, postgres: PostgresClient, accounts: [String: Account],
                batchSize: Int = 100, workers: Int = 1, lease: Duration = .seconds(120),
                backoff: RetryBackoff = RetryBackoff(), clock: ContinuousClock = ContinuousClock(), logger: Logger) {
        self.destination = destination
        self.postgres = postgres
        self.accounts = accounts
        self.batchSize = batchSize
        self.workers = max(1, workers)
        self.lease = lease
        self.backoff = backoff
        self.clock = clock
        self.logger = logger
    }

    /// Delivers until nothing is claimable right now, or `stop` says so between batches (a
    /// graceful shutdown lets the batch in flight finish); returns what happened.
    @discardableResult
    public func drain(until stop: @escaping @Sendable () -> Bool = { false }) async throws -> RelayReport {
        try await inWorkers {
            var report = RelayReport()
            while !stop(), try await deliverBatch(into: &report) {}
            return report
        }
    }

    /// `odometer deliver --once`: delivers until no entry is pending (every one delivered or
    /// failed), waiting out backoffs, leases and a closed gate.
    @discardableResult
    public func deliverUntilSettled(maximumWait: Duration = .seconds(5)) async throws -> RelayReport {
        try await inWorkers {
            let store = OutboxStore(client: postgres, logger: logger)
            var report = RelayReport()
            while true {
                try Task.checkCancellation()
                if try await deliverBatch(into: &report) { continue }
                guard let wait = try await store.nextClaimable(destination: destination.name) else { return report }
                let gateWait = await destination.pacer?.claimableIn() ?? .zero
                try await clock.sleep(for: min(max(wait, gateWait, .milliseconds(10)), maximumWait))
            }
        }
    }

    /// Runs `work` in `workers` tasks and adds up their reports.
    private func inWorkers(_ work: @escaping @Sendable () async throws -> RelayReport) async throws -> RelayReport {
        guard workers > 1 else { return try await work() }
        return try await withThrowingTaskGroup(of: RelayReport.self) { group in
            for _ in 0..<workers { group.addTask { try await work() } }
            var total = RelayReport()
            for try await report in group {
                total.delivered += report.delivered
                total.failed += report.failed
                total.retrying += report.retrying
            }
            return total
        }
    }

    /// Drains every `interval` until cancelled (for `serve`).
    public func run(interval: Duration = .seconds(1)) async throws {
        while !Task.isCancelled {
            do {
                try await drain()
            } catch {
                logger.error("outbox relay pass failed: \(error)", metadata: ["destination": "\(destination.name)"])
            }
            try await clock.sleep(for: interval)
        }
    }

    /// Claims one batch and delivers it; false when nothing was claimable (or the gate is closed).
    private func deliverBatch(into report: inout RelayReport) async throws -> Bool {
        if await destination.pacer?.claimableIn() != nil { return false }
        let store = OutboxStore(client: postgres, logger: logger)
        let entries = try await store.claim(destination: destination.name, limit: batchSize, lease: lease)
        if entries.isEmpty { return false }
        let lines = try await store.invoiceLines(keys: entries.flatMap(\.lineKeys))
        let byKey = Dictionary(lines.map { ($0.lineKey, $0) }, uniquingKeysWith: { first, _ in first })
        var random = SystemRandomNumberGenerator()
        var lifecycles: [String: OutboxLifecycle<ContinuousClock.Instant>] = [:]
        var documents: [InvoiceDocument] = []
        var actions: [(OutboxEntry, OutboxLifecycle<ContinuousClock.Instant>.Action)] = []
        for entry in entries {
            var lifecycle = OutboxLifecycle<ContinuousClock.Instant>(state: .pending(attempts: Int(entry.attempts) - 1),
                                                                   backoff: backoff)
            guard try lifecycle.handle(.claimed, now: clock.now, using: &random) == .send else { continue }
            guard let document = document(for: entry, lines: byKey) else {
                actions.append((entry, try lifecycle.handle(
                    .settled(.failed(reason: "its invoice lines are missing from invoice_lines")), now: clock.now, using: &random)))
                continue
            }
            lifecycles[entry.documentKey] = lifecycle
            documents.append(document)
        }
        // The lease is renewed every third of it while the writer works, so a slow batch keeps
        // its documents: two workers delivering one invoice at once could both create it.
        let keys = documents.map(\.key)
        let (lease, logger, clock, name) = (lease, logger, clock, destination.name)
        let renewal = Task {
            while !Task.isCancelled {
                try await clock.sleep(for: lease / 3)
                do {
                    try await store.renewLease(destination: name, documentKeys: keys, lease: lease)
                } catch is CancellationError {
                    return
                } catch {
                    logger.warning("could not renew the outbox lease", metadata: ["destination": "\(name)", "error": "\(error)"])
                }
            }
        }
        let outcomes = await destination.writer.deliver(documents)
        renewal.cancel()
        // A renewal still in flight would update these rows while they are settled.
        _ = await renewal.result
        for entry in entries {
            guard var lifecycle = lifecycles[entry.documentKey] else { continue }
            let outcome = outcomes[entry.documentKey] ?? .retry(reason: "the writer returned no outcome", after: nil)
            actions.append((entry, try lifecycle.handle(.settled(outcome), now: clock.now, using: &random)))
        }
        try await perform(actions, store: store, report: &report)
        return true
    }

    /// Carries out the lifecycle's actions for one batch: one statement per kind of outcome.
    private func perform(_ actions: [(OutboxEntry, OutboxLifecycle<ContinuousClock.Instant>.Action)],
                         store: OutboxStore, report: inout RelayReport) async throws {
        let name = destination.name
        var delivered: [(documentKey: String, remoteId: String)] = []
        var failed: [(documentKey: String, error: String)] = []
        var rescheduled: [(documentKey: String, after: Duration, error: String)] = []
        for (entry, action) in actions {
            switch action {
            case .markDelivered(let remoteId):
                delivered.append((entry.documentKey, remoteId))
            case .markFailed(let reason):
                failed.append((entry.documentKey, reason))
                logger.error("delivery failed", metadata: ["destination": "\(name)", "document": "\(entry.documentKey)",
                                                           "reason": "\(reason)"])
            case .reschedule(_, let after, let reason):
                rescheduled.append((entry.documentKey, after, reason))
            case .storeKey(let key, let reason):
                try await store.storeKey(destination: name, documentKey: entry.documentKey, key: key, error: reason)
                logger.warning("idempotency key spent; the next attempt uses a new one",
                               metadata: ["destination": "\(name)", "document": "\(entry.documentKey)", "key": "\(key)"])
                report.retrying += 1
            case .send, .requeue, .none:
                break
            }
        }
        try await store.settle(destination: name, delivered: delivered, failed: failed, rescheduled: rescheduled)
        DeliveryMetrics.delivered(name, count: delivered.count)
        DeliveryMetrics.failed(name, count: failed.count)
        DeliveryMetrics.retried(name, count: rescheduled.count)
        report.delivered += delivered.count
        report.failed += failed.count
        report.retrying += rescheduled.count
    }

    private func document(for entry: OutboxEntry, lines: [String: InvoiceLineRecord]) -> InvoiceDocument? {
        let records = entry.lineKeys.compactMap { lines[$0] }
        guard records.count == entry.lineKeys.count, let first = records.first,
              let currency = Currency(code: first.currency), let period = BillingPeriod(entry.period) else { return nil }
        let account = accounts[entry.account]
        let calendar = (try? PeriodCalendar(timeZone: account?.timeZone ?? "UTC")) ?? .utc
        let bounds = calendar.bounds(of: period)
        let unacknowledged = entry.firstAttemptAt.map { entry.updatedAt.timeIntervalSince($0) }
        return InvoiceDocument(
            key: entry.documentKey, account: entry.account, period: entry.period, invoiceDate: period.lastDayText,
            currency: currency.code, currencyMinorUnits: currency.minorUnits,
            odooPartnerRef: account?.odooPartnerRef,
            lines: records.map {
                InvoiceDocumentLine(lineKey: $0.lineKey, meter: $0.meter, description: $0.description,
                                    quantity: $0.quantity, amount: $0.amount, period: $0.period, version: Int($0.version))
            },
            idempotencyKey: entry.idempotencyKey ?? DeliveryKey.derive(destination: entry.destination,
                                                                       documentKey: entry.documentKey),
            stripeCustomer: account?.stripeCustomer, lagoSubscription: account?.lagoSubscription,
            periodStart: bounds.start.seconds, periodEnd: bounds.end.seconds,
            unacknowledgedFor: unacknowledged.map { .milliseconds(Int64($0 * 1000)) })
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
