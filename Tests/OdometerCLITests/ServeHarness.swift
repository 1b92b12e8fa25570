import Foundation
import KafkaClient
import Logging
import MeteringCore
import MeteringWorkload
import OdometerService
import OdometerTestSupport
import PostgresNIO
import PostgresStore
import Synchronization

/// Real parts around `odometer serve` child processes: a Kafka mock cluster in this process
/// (children reach it over loopback TCP), a throwaway Postgres owned by the test (so it can be
/// restarted), a configuration file, and readers for what the children committed.
final class ServeHarness: Sendable {
    let kafka: KafkaMockCluster
    let database: LocalPostgresCluster
    let postgres: PostgresClient
    let cli: CommandRunner
    let partitions: Int32
    let workload: UsageWorkload
    let group = "serve-faults"
    let topic = "usage"
    let logger: Logger
    let configFile: URL
    /// Every serve started, so none outlives the test (a failed expectation must not leave one running).
    private let children = Mutex<[RunningCommand]>([])

    static let meters = UsageWorkload.meters

    static func with<Result: Sendable>(
        partitions: Int32 = 8, accounts: Int = 1_000, sessionTimeoutMs: Int = 4000, extraPipeline: String = "",
        _ body: @Sendable (ServeHarness) async throws -> Result
    ) async throws -> Result {
        var logger = Logger(label: "serve-harness")
        logger.logLevel = .warning
        let kafka = try KafkaMockCluster(brokers: 3, logger: nil)
        defer { kafka.close() }
        try kafka.createTopic("usage", partitions: partitions)
        try kafka.createTopic("usage.dlq", partitions: 1)
        let database = try await LocalPostgresCluster.start(logger: logger)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("serve-\(UUID().uuidString).yaml")
        try """
            kafka: { brokers: "\(kafka.bootstrapServers)", group: serve-faults, sessionTimeoutMs: \(sessionTimeoutMs) }
            postgres: { url: "\(database.url)" }
            pipeline: { flushIntervalMs: 100\(extraPipeline) }
            http: { listen: "127.0.0.1:0" }
            meters:
              - { slug: api_calls, eventType: api_request, aggregation: COUNT }
              - { slug: api_tokens, eventType: api_request, aggregation: SUM, valueProperty: "$.tokens", groupBy: { model: "$.model" } }
              - { slug: compute_seconds, eventType: compute_job, aggregation: SUM, valueProperty: "$.seconds", groupBy: { region: "$.region" } }
              - { slug: storage_gb, eventType: storage_snapshot, aggregation: MAX, valueProperty: "$.gb" }
              - { slug: active_users, eventType: user_login, aggregation: UNIQUE_COUNT, valueProperty: "$.user" }
            """.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let postgres = PostgresClient(configuration: database.postgresURL.clientConfiguration, backgroundLogger: logger)
        let harness = ServeHarness(
            kafka: kafka, database: database, postgres: postgres, partitions: partitions,
            workload: UsageWorkload(accounts: accounts, period: BillingPeriod("2026-10")!), logger: logger, configFile: file)
        do {
            let result = try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await postgres.run() }
                defer { group.cancelAll() }
                let migrate = try await harness.cli.run(["migrate"])
                guard migrate.status == 0 else { throw HarnessError.failed("migrate: \(migrate.error)") }
                return try await body(harness)
            }
            harness.killChildren()
            await database.stop()
            return result
        } catch {
            harness.killChildren()
            await database.stop()
            throw error
        }
    }

    private init(kafka: KafkaMockCluster, database: LocalPostgresCluster, postgres: PostgresClient, partitions: Int32,
                 workload: UsageWorkload, logger: Logger, configFile: URL) {
        self.kafka = kafka
        self.database = database
        self.postgres = postgres
        self.partitions = partitions
        self.workload = workload
        self.logger = logger
        self.configFile = configFile
        cli = CommandRunner(environment: ["ODOMETER_CONFIG": configFile.path, "ODOMETER_LOG_LEVEL": "warning"])
    }

    /// Starts `odometer serve` with extra environment variables (e.g. `ODOMETER_FAILPOINTS`).
    func serve(environment: [String: String] = [:]) throws -> RunningCommand {
        let child = try CommandRunner(environment: cli.environment.merging(environment) { _, new in new }).start(["serve"])
        children.withLock { $0.append(child) }
        return child
    }

    private func killChildren() {
        for child in children.withLock({ $0 }) where child.isRunning {
            child.send(SIGKILL)
            child.process.waitUntilExit()   // SIGKILL: prompt, and needs nothing from this process
        }
    }

    /// Partitions whose stored owner is the process `pid` (`host/pid/…`).
    func partitionsOwned(by pid: Int32) async throws -> [Int32] {
        let rows = try await PartitionOffsetStore(client: postgres, logger: logger).rows(group: group, topic: topic)
        return rows.values.filter { $0.owner.split(separator: "/").dropFirst().first == Substring(String(pid)) }
            .map(\.partition).sorted()
    }

    /// Waits until `serve` owns at least one partition in Postgres.
    func waitUntilClaiming(_ serve: RunningCommand, timeout: Duration = .seconds(60)) async throws {
        let deadline = ContinuousClock.now + timeout
        while try await partitionsOwned(by: serve.pid).isEmpty {
            // A serve that claims and then dies at a failpoint may do both while the query above
            // runs (it read the table before the claim): look once more before calling that a failure.
            if !serve.isRunning {
                if try await !partitionsOwned(by: serve.pid).isEmpty { return }
                throw HarnessError.failed("serve exited: \(serve.errorSoFar.suffix(2000))")
            }
            guard ContinuousClock.now < deadline else { throw HarnessError.failed("serve claimed nothing in \(timeout)") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Waits until `serve` commits progress: the offsets of the partitions it owns move forward.
    func waitUntilCommitting(_ serve: RunningCommand, timeout: Duration = .seconds(60)) async throws {
        let store = PartitionOffsetStore(client: postgres, logger: logger)
        func committed() async throws -> Int64 {
            let owned = Set(try await partitionsOwned(by: serve.pid))
            return try await store.rows(group: group, topic: topic).values.filter { owned.contains($0.partition) }
                .reduce(0) { $0 + $1.nextOffset }
        }
        let deadline = ContinuousClock.now + timeout
        let before = try await committed()
        while try await committed() <= before {
            guard ContinuousClock.now < deadline else { throw HarnessError.failed("serve committed nothing in \(timeout)") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Waits until the committed offsets reach every partition's high watermark.
    func waitUntilCaughtUp(timeout: Duration = .seconds(180)) async throws {
        let highs = try KafkaTopicInspector(bootstrapServers: kafka.bootstrapServers, logger: nil)
            .watermarks(topic: topic).mapValues(\.high)
        try await CatchUp.wait(for: highs, group: group, topic: topic, postgres: postgres, timeout: timeout, logger: logger)
    }

    func usage() async throws -> [String: Recount.Figure] {
        try await UsageFigures.read(postgres: postgres, meters: Self.meters, logger: logger)
    }

    /// A producer to the harness's cluster; `properties` override `KafkaProducer`'s defaults.
    func producer(properties: [String: String] = [:]) throws -> KafkaProducer {
        try KafkaProducer(bootstrapServers: kafka.bootstrapServers, properties: properties, logger: nil)
    }
}

enum HarnessError: Error, CustomStringConvertible {
    case failed(String)
    var description: String { if case .failed(let text) = self { text } else { "" } }
}

/// A producer thread for fault tests: generated events at a steady rate, with a copy of an
/// earlier event (same bytes) after every tenth and a changed copy (same source and id, other
/// bytes: a conflict) after every 500th, each keyed like its original. The recount counts each
/// unique event once.
///
/// The busiest partition of 8 gets about 18% of the messages (the accounts are Zipf-distributed),
/// and the mock keeps about 5 MiB of a partition, so `limit` must keep that partition under it:
/// 200,000 events (220,000 messages with the copies) make about 40,000 messages there. The
/// producer lingers 100 ms so that batches hold tens of messages: lz4 takes these events (about
/// 175 bytes) to 115 bytes a message in batches of 4, 63 in batches of 27 and 53 in batches of
/// 100 (measured with `lz4 -1`, with Kafka's batch and record headers). With the default 10 ms,
/// 3,000 events a second and 400,000 events, the busiest partition held about 78,000 messages
/// at 63 bytes or more, on the edge: in loaded runs the mock deleted its head, and a restart's
/// dedup window then missed the originals of later copies, which counted twice. Tests with 4 or
/// 2 partitions feed for seconds, not minutes, and set their limits lower to match.
final class StreamFeeder: @unchecked Sendable {
    // @unchecked Sendable is safe: `events` and `conflicts` are written by the feeder thread
    // only, and read by the test only after `finish()` has waited for that thread to end.
    private let producing = Atomic<Bool>(true)
    private let done = DispatchSemaphore(value: 0)
    private(set) var events: [UsageEvent] = []
    private(set) var copies = 0
    private(set) var conflicts: [[UInt8]] = []
    private(set) var failure: String?

    init(harness: ServeHarness, rate: Int, limit: Int, first: Int = 0) throws {
        let producer = try harness.producer(properties: ["linger.ms": "100"])
        let workload = harness.workload
        let topic = harness.topic
        Thread.detachNewThread { [self] in
            var random = SplitMix64(seed: 99)
            let started = ContinuousClock.now
            var stream = workload.stream(count: limit, first: first, seed: 42)
            func send(_ bytes: [UInt8], key: String) throws {
                try producer.produce(topic: topic, key: Array(key.utf8), value: bytes)
            }
            do {
                while producing.load(ordering: .relaxed), let event = stream.next() {
                    try send(EventCopies.bytes(of: event), key: event.accountID)
                    events.append(event)
                    if events.count % 10 == 0 {
                        let original = events[Int(random.next() % UInt64(events.count))]
                        try send(EventCopies.bytes(of: original), key: original.accountID)
                        copies += 1
                    }
                    if events.count % 500 == 0 {
                        let original = events[Int(random.next() % UInt64(events.count))]
                        let changed = EventCopies.conflictingBytes(of: original)
                        try send(changed, key: original.accountID)
                        conflicts.append(changed)
                    }
                    if events.count % 200 == 0 {
                        let wait = ContinuousClock.now.duration(to: started + .milliseconds(Int64(events.count) * 1000 / Int64(rate)))
                        if wait > .zero {
                            Thread.sleep(forTimeInterval: Double(wait.components.seconds) + Double(wait.components.attoseconds) / 1e18)
                        }
                    }
                }
                try producer.flush(timeout: .seconds(120))
            } catch {
                failure = "\(error)"
            }
            done.signal()
        }
    }

    /// Stops producing, waits (on a thread of its own, not the cooperative pool: up to the
    /// producer's 120 s flush) for every message to be acknowledged, and returns the recount.
    func finish(period: String = "2026-10") async -> Recount {
        producing.store(false, ordering: .relaxed)
        _ = try? await BlockingCall.run { [done] in done.wait() }
        var recount = Recount(period: period)
        for event in events { recount.add(event) }
        return recount
    }
}
