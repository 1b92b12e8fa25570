import Foundation
import KafkaClient
public import Logging
public import MeteringCore
public import PostgresNIO
public import PostgresStore

/// Runs `odometer close`: plans the close from the stored totals and the lines billed before
/// (for adjustments of earlier closed periods, DESIGN §6), and records its invoice lines and
/// outbox entries in one transaction. Re-running it changes nothing.
///
/// Totals are read only through `UsageQueries.totals(account:period:)`, for this period and
/// for each earlier period a closing account has closed.
public struct PeriodCloser: Sendable {
    /// Where close readiness is measured (DESIGN §6): the ingest group's committed offsets in
    /// Postgres against the topic's partitions in Kafka.
    public struct WatermarkSource: Sendable {
        public var brokers: String
        public var kafkaProperties: [String: String]
        public var group: String
        public var topic: String
        public var gracePeriod: Duration

        public init(brokers: String, kafkaProperties: [String: String] = [:], group: String, topic: String,
                    gracePeriod: Duration) {
            self.brokers = brokers
            self.kafkaProperties = kafkaProperties
            self.group = group
            self.topic = topic
            self.gracePeriod = gracePeriod
        }
    }

    let postgres: PostgresClient
    let pricer: UsagePricer
    let destinations: [String: DeliveryDestination.Granularity]
    let watermark: WatermarkSource?
    /// Destinations that hold at most this many lines per invoice (Stripe: 250 invoice items).
    let lineLimits: [String: Int]
    let logger: Logger

    /// - Parameters:
    ///   - watermark: nil never refuses (tests and `demo` close what they produced).
    ///   - lineLimits: destination → the most lines one account's invoice may hold there.
    public init(postgres: PostgresClient, pricer: UsagePricer, destinations: [String: DeliveryDestination.Granularity],
                watermark: WatermarkSource? = nil, lineLimits: [String: Int] = [:], logger: Logger) {
        self.postgres = postgres
        self.pricer = pricer
        self.destinations = destinations
        self.watermark = watermark
        self.lineLimits = lineLimits
        self.logger = logger
    }

    /// Refuses, unless forced, while any partition of the topic has not committed every message
    /// appended before the period's end plus the grace period, in any closing account's time zone
    /// (DESIGN §6); the refusal names those partitions.
    public func checkReadiness(period: BillingPeriod, plan: PeriodClosePlan) async throws {
        guard let watermark else { return }
        let calendars = plan.closingAccounts.compactMap { account in
            pricer.accounts[account].flatMap { try? PeriodCalendar(timeZone: $0.timeZone) }
        }
        let readiness = try await Self.readiness(of: period, calendars: calendars, source: watermark,
                                                 postgres: postgres, logger: logger)
        guard !readiness.isReady else { return }
        let deadline = Date(timeIntervalSince1970: Double(readiness.deadlineMilliseconds) / 1000)
        throw OdometerFailure.user(
            "period \(period) cannot close yet: \(readiness.behind.map(\.description).joined(separator: ", ")) "
                + "have not metered everything appended to Kafka before \(deadline.ISO8601Format()) (period end plus "
                + "the grace period); wait for the pipeline to catch up, or pass --force")
    }

    /// Close readiness of `period` for accounts in `calendars`: Kafka's log range of every partition
    /// beside the committed offsets in Postgres. An unreachable Kafka is an environment error.
    public static func readiness(of period: BillingPeriod, calendars: [PeriodCalendar], source: WatermarkSource,
                                 postgres: PostgresClient, logger: Logger) async throws -> CloseReadiness {
        let logs: [Int32: KafkaWatermarks]
        do {
            logs = try KafkaTopicInspector(bootstrapServers: source.brokers, properties: source.kafkaProperties,
                                           logger: nil).watermarks(topic: source.topic)
        } catch {
            throw OdometerFailure.environment("cannot measure close readiness: \(error)")
        }
        let stored = try await PartitionOffsetStore(client: postgres, logger: logger).rows(group: source.group, topic: source.topic)
        let partitions = logs.map { partition, log in
            CloseReadiness.PartitionProgress(
                partition: partition, nextOffset: stored[partition]?.nextOffset ?? log.low,
                coveredAppendMilliseconds: stored[partition]?.coveredAppendMilliseconds,
                log: LogRange(low: log.low, high: log.high))
        }
        return CloseReadiness(period: period, calendars: calendars, gracePeriod: source.gracePeriod, partitions: partitions)
    }

    /// The plan for `period`, without writing anything.
    public func plan(period: BillingPeriod, account: String?) async throws -> PeriodClosePlan {
        if let account, pricer.accounts[account] == nil {
            throw OdometerFailure.user("account \"\(account)\" is not configured: add it to `accounts` (or import it) first")
        }
        let queries = UsageQueries(client: postgres, logger: logger)
        let totals = try await queries.totals(account: account, period: period.description).map { try UsageTotal(record: $0) }
        let store = CloseStore(client: postgres, logger: logger)
        let closed = try await store.closedAccounts(period: period.description)
        let closing = (account.map { [$0] } ?? Array(pricer.accounts.keys)).filter { !closed.contains($0) }.sorted()
        var earlier = PeriodClosePlan.EarlierCloses()
        if !closing.isEmpty {
            earlier.periods = try await store.earlierCloses(accounts: closing, before: period.description)
            let periods = Set(earlier.periods.values.flatMap { $0 }).sorted()
            for closedPeriod in periods {
                earlier.totals += try await queries.totals(account: account, period: closedPeriod)
                    .map { try UsageTotal(record: $0) }
            }
            earlier.billed = try await store.billedRows(accounts: closing, periods: periods).map {
                try BilledRow(account: $0.account, meter: $0.meter, period: $0.period, dimensions: $0.dimensions,
                              latestVersion: $0.latestVersion, quantity: $0.quantity, amount: $0.amount,
                              currency: $0.currency)
            }
        }
        let plan: PeriodClosePlan
        do {
            plan = try PeriodClosePlan(period: period, totals: totals, pricer: pricer, accounts: account.map { [$0] },
                                       alreadyClosed: closed, earlier: earlier)
        } catch let error as CloseError {
            throw OdometerFailure.user(error.description)
        }
        try checkLineLimits(plan)
        return plan
    }

    /// Refuses a close whose invoice would hold more lines than a destination takes, instead of
    /// letting that destination cut it silently.
    private func checkLineLimits(_ plan: PeriodClosePlan) throws {
        for (destination, limit) in lineLimits.sorted(by: { $0.key < $1.key }) {
            guard let invoice = plan.invoices.first(where: { $0.lines.count > limit }) else { continue }
            throw OdometerFailure.user(
                "account \(invoice.account) would get \(invoice.lines.count) lines for \(plan.period), but \(destination) "
                    + "takes at most \(limit) per invoice: reduce the meters' groupBy dimensions for this plan, or bill "
                    + "\(destination) in another mode")
        }
    }

    /// Closes `period`; returns the plan and what was newly written.
    public func close(period: BillingPeriod, account: String?, force: Bool) async throws -> (PeriodClosePlan, CloseOutcome) {
        let plan = try await plan(period: period, account: account)
        if !force { try await checkReadiness(period: period, plan: plan) }
        let outcome = try await CloseStore(client: postgres, logger: logger).record(record(of: plan, forced: force))
        logger.info("closed period", metadata: ["period": "\(period)", "accounts": "\(plan.closingAccounts.count)",
                                                "lines": "\(outcome.linesInserted)"])
        return (plan, outcome)
    }

    func record(of plan: PeriodClosePlan, forced: Bool) -> PeriodCloseRecord {
        var lines: [InvoiceLineRecord] = []
        var outbox: [OutboxDocument] = []
        for invoice in plan.invoices {
            for line in invoice.lines {
                lines.append(InvoiceLineRecord(
                    lineKey: line.lineKey, account: line.account, meter: line.meter, period: line.period,
                    dimensions: line.dimensions, version: Int32(line.version), quantity: line.quantity.description,
                    amount: line.amount.text, currency: invoice.currency.code, description: line.description,
                    billedPeriod: line.isAdjustment ? line.billedPeriod : nil))
            }
            for (name, granularity) in destinations.sorted(by: { $0.key < $1.key }) {
                switch granularity {
                case .invoice:
                    outbox.append(OutboxDocument(destination: name, documentKey: invoice.documentKey,
                                                 account: invoice.account, period: invoice.period,
                                                 lineKeys: invoice.lines.map(\.lineKey),
                                                 idempotencyKey: DeliveryKey.derive(destination: name,
                                                                                    documentKey: invoice.documentKey)))
                case .line:
                    for line in invoice.lines {
                        outbox.append(OutboxDocument(destination: name, documentKey: line.lineKey,
                                                     account: invoice.account, period: invoice.period,
                                                     lineKeys: [line.lineKey],
                                                     idempotencyKey: DeliveryKey.derive(destination: name,
                                                                                        documentKey: line.lineKey)))
                    }
                }
            }
        }
        return PeriodCloseRecord(period: plan.period.description, accounts: plan.closingAccounts, forced: forced,
                                 lines: lines, outbox: outbox)
    }
}
