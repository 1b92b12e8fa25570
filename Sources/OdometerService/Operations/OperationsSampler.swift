import KafkaClient
import Logging
import MeteringCore
import OdometerConfig
import Metrics
public import PostgresNIO
import PostgresStore
public import ServiceLifecycle

/// Samples what `serve` cannot see from inside the pipeline, every `interval`: consumer lag per
/// partition (Kafka's high watermark minus the offset committed in Postgres), outbox depth per
/// destination and status, and, every `periodsEvery` ticks (15 s), the close readiness of the open
/// periods. Sets the gauges, the status board and the reachability of Postgres and Kafka in
/// the health registry, and records a throughput sample.
///
/// Each probe is bounded by `probeTimeout`, so an outage shows within seconds.
public struct OperationsSampler: Service {
    let runtime: OdometerRuntime
    let postgres: PostgresClient
    let status: ServeStatus
    let interval: Duration
    let periodsEvery: Int
    let probeTimeout: Duration
    let now: @Sendable () -> ContinuousClock.Instant

    public init(runtime: OdometerRuntime, postgres: PostgresClient, status: ServeStatus, interval: Duration = .seconds(5),
                periodsEvery: Int = 3, probeTimeout: Duration = .seconds(3),
                now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }) {
        self.runtime = runtime
        self.postgres = postgres
        self.status = status
        self.interval = interval
        self.periodsEvery = periodsEvery
        self.probeTimeout = probeTimeout
        self.now = now
    }

    private var health: ServeHealth { status.monitor.health }
    private var kafka: KafkaSettings { runtime.configuration.kafka }

    public func run() async throws {
        let inspector = try KafkaTopicInspector(bootstrapServers: kafka.brokers, properties: kafka.properties,
                                                timeout: probeTimeout, logger: nil)
        var tick = 0
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            await sample(inspector: inspector, includingPeriods: tick % periodsEvery == 0)
            tick += 1
            _ = try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }

    /// One round of probes, periods included, with a client of its own (for tests and tools).
    public func sampleOnce() async throws {
        let inspector = try KafkaTopicInspector(bootstrapServers: kafka.brokers, properties: kafka.properties,
                                                timeout: probeTimeout, logger: nil)
        await sample(inspector: inspector, includingPeriods: true)
    }

    /// One round of probes; never throws (a failed probe is a reported problem).
    func sample(inspector: KafkaTopicInspector, includingPeriods: Bool) async {
        status.recordThroughput(at: now())
        let topic = kafka.topic
        // The inspector bounds each query itself; its error names the brokers, so it gets to answer first.
        let watermarks = await probe("Kafka", within: probeTimeout * 2) {
            try await BlockingCall.run { try inspector.watermarks(topic: topic) }
        }
        health.setKafkaProblem(watermarks.problem)
        let queries = OperationsQueries(client: postgres, logger: runtime.logger)
        let group = kafka.group
        let progress = await probe("Postgres") { try await queries.partitionProgress(group: group, topic: topic) }
        health.setPostgresProblem(progress.problem)
        if let marks = watermarks.value, let committed = progress.value {
            let lags = marks.keys.sorted().map { partition in
                PartitionLag(partition: partition, lowWatermark: marks[partition]!.low,
                             highWatermark: marks[partition]!.high, nextOffset: committed[partition]?.nextOffset,
                             coveredAppendMilliseconds: committed[partition]?.coveredAppendMilliseconds,
                             owner: committed[partition]?.owner)
            }
            for lag in lags {
                Gauge(label: ServeMetric.consumerLag.name, dimensions: [("partition", "\(lag.partition)")]).record(lag.lag)
            }
            status.update(partitions: lags, problem: nil)
        } else {
            status.update(partitions: nil, problem: watermarks.problem ?? progress.problem)
        }
        let counts = await probe("Postgres") { try await queries.outboxCounts() }
        if let counts = counts.value { recordOutboxGauges(counts) }
        status.update(deliveries: counts.value, problem: counts.problem)
        if includingPeriods { await samplePeriods(queries: queries) }
        Gauge(label: ServeMetric.ready.name).record(health.readiness.isReady ? 1 : 0)
    }

    private func samplePeriods(queries: OperationsQueries) async {
        let runtime = runtime
        let postgres = postgres
        let survey = await probe("Postgres", within: probeTimeout * 5) {
            let periods = try await queries.openPeriods()
            let zones = Set(try await runtime.accounts(postgres: postgres).map(\.timeZone))
            return try await CloseReadinessSurvey.assess(
                openPeriods: periods, calendars: zones.compactMap { try? PeriodCalendar(timeZone: $0) },
                source: runtime.closeReadinessSource, postgres: postgres, logger: runtime.logger)
        }
        status.update(periods: survey.value, problem: survey.problem)
    }

    /// Every destination gets all three statuses, so a status that emptied reads 0.
    private func recordOutboxGauges(_ counts: [OutboxCount]) {
        let destinations = Set(counts.map(\.destination)).union(runtime.configuration.billing.destinations.map(\.kind))
        for destination in destinations {
            for status in OutboxStatus.allCases {
                let count = counts.first { $0.destination == destination && $0.status == status }?.count ?? 0
                Gauge(label: ServeMetric.outboxEntries.name,
                      dimensions: [("destination", destination), ("status", status.rawValue)]).record(count)
            }
        }
    }

    private func probe<Value: Sendable>(_ what: String, within limit: Duration? = nil,
                                        _ body: @escaping @Sendable () async throws -> Value) async -> (value: Value?, problem: String?) {
        do {
            return (try await ProbeDeadline.run(what, within: limit ?? probeTimeout, body), nil)
        } catch {
            return (nil, HealthMessage.of(error))
        }
    }
}
