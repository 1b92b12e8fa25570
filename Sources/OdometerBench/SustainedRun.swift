public import OdometerService
import Foundation
import KafkaClient
public import Logging
import MeteringCore
public import MeteringWorkload
import PostgresNIO
import PostgresStore

/// `odometer bench --duration D`: the pipeline as deployed, for minutes. An `odometer serve`
/// child process (so its memory is its own: the mock broker and the producer stay in this
/// process) meters a stream that a producer thread keeps sending, as fast as the pipeline takes
/// it (the producer waits while more than `maxLag` messages are uncommitted, so the mock's
/// partitions, which keep about 5 MiB each, never drop unmetered events). Every few seconds it
/// samples the committed rate, the compaction backlog and serve's memory; at the end it waits
/// until everything is committed and compares the totals with a recount of what was sent.
public struct SustainedRun: Sendable {
    public struct Options: Sendable {
        public var duration: Duration = .seconds(120)
        public var accounts = 200_000
        public var distribution = UsageWorkload.Distribution.uniform
        public var partitions: Int32 = 64
        public var shards = 2
        public var corpusEvents = 1_000_000
        public var maxLag = 1_000_000
        public var sampleEvery: Duration = .seconds(10)
        public init() {}
    }

    public struct Sample: Sendable {
        public var seconds: Int
        public var produced: Int
        public var committed: Int
        public var backlogRows: Int64
        public var serveResidentBytes: Int
    }

    public struct Report: Sendable {
        public var options: Options
        public var samples: [Sample] = []
        public var steadyEventsPerSecond = 0.0
        public var servePeakResidentBytes = 0
        public var maximumBacklogRows: Int64 = 0
        public var produced = 0
        public var differences: [String] = []

        public var text: String {
            let rows = samples.map {
                [String($0.seconds), String($0.produced), String($0.committed), String($0.backlogRows),
                 "\($0.serveResidentBytes / 1_048_576) MiB"]
            }
            return """
                sustained: \(options.duration) of \(options.distribution.rawValue) events over \(options.accounts) accounts, \
                \(options.partitions) partitions, \(options.shards) shards (serve as a child process)

                \(TextTable(header: ["S", "PRODUCED", "COMMITTED", "COMPACTION BACKLOG ROWS", "SERVE RSS"], rows: rows,
                            rightAligned: [0, 1, 2, 3, 4]).render())

                steady-state end to end: \(BenchReport.rate(steadyEventsPerSecond)) events/s (committed after the first \
                fifth of the run, over the rest)
                serve peak RSS: \(servePeakResidentBytes / 1_048_576) MiB; largest compaction backlog: \(maximumBacklogRows) rows
                totals against the recount of \(produced) events: \
                \(differences.isEmpty ? "equal" : "DIFFERENT: " + differences.joined(separator: "; "))
                """
        }
    }

    public let options: Options
    let logger: Logger
    let progress: ProgressReporter

    public init(options: Options, logger: Logger, progress: ProgressReporter) {
        self.options = options
        self.logger = logger
        self.progress = progress
    }

    public func run() async throws -> Report {
        try await BenchBed.with(durable: true, logger: logger) { kafka, postgres, url in
            try kafka.createTopic("sustained", partitions: options.partitions)
            try kafka.createTopic("sustained.dlq", partitions: 1)
            return try await measure(kafka: kafka, postgres: postgres, databaseURL: url)
        }
    }

    private func measure(kafka: KafkaMockCluster, postgres: PostgresClient, databaseURL: String) async throws -> Report {
        progress.note("sustained: rendering \(options.corpusEvents) events")
        let workload = UsageWorkload(accounts: options.accounts, period: BillingPeriod("2026-10")!,
                                     distribution: options.distribution)
        let corpus = RenderedCorpus(workload: workload, count: options.corpusEvents, seed: 3)
        let serve = try ServeChild(brokers: kafka.bootstrapServers, databaseURL: databaseURL, topic: "sustained",
                                   shards: options.shards)
        defer { serve.stop() }
        let offsets = PartitionOffsetStore(client: postgres, logger: logger)
        let committed = SharedCount()
        let producer = try CorpusProducer(brokers: kafka.bootstrapServers, topic: "sustained", corpus: corpus,
                                          properties: BenchRun.producerProperties, maxLag: options.maxLag, committed: committed)
        var report = Report(options: options)
        let clock = ContinuousClock()
        // The group's first join takes seconds: the clock starts at serve's first claim.
        while try await offsets.rows(group: "bench-sustained", topic: "sustained").isEmpty {
            guard serve.isRunning else { throw OdometerFailure.environment("serve exited: \(serve.errorText.suffix(2000))") }
            try await Task.sleep(for: .milliseconds(100))
        }
        let started = clock.now
        producer.start()
        var nextSample = started + options.sampleEvery
        var steadyFrom: (instant: ContinuousClock.Instant, committed: Int)?
        let compactor = DeltaCompactor(client: postgres, logger: logger)
        var producing = true
        while true {
            let done = try await offsets.rows(group: "bench-sustained", topic: "sustained").values
                .reduce(0) { $0 + Int($1.nextOffset) }
            committed.store(done)
            let now = clock.now
            if producing, started.duration(to: now) >= options.duration {
                producer.stop()
                producing = false
                report.steadyEventsPerSecond = steadyFrom.map { Double(done - $0.committed) / $0.instant.duration(to: now).seconds } ?? 0
            }
            if steadyFrom == nil, started.duration(to: now) >= options.duration / 5 { steadyFrom = (now, done) }
            if now >= nextSample || (!producing && done >= producer.produced) {
                let backlog = try await compactor.backlog()
                let sample = Sample(seconds: Int(started.duration(to: now).seconds.rounded()), produced: producer.produced,
                                    committed: done, backlogRows: backlog.rows + backlog.uniqueRows,
                                    serveResidentBytes: serve.residentBytes)
                report.samples.append(sample)
                report.maximumBacklogRows = max(report.maximumBacklogRows, sample.backlogRows)
                progress.note("sustained: \(sample.seconds) s, \(sample.committed) committed, backlog \(sample.backlogRows) rows, "
                              + "serve \(sample.serveResidentBytes / 1_048_576) MiB")
                nextSample = now + options.sampleEvery
            }
            if !producing, done >= producer.produced { break }
            guard serve.isRunning else { throw OdometerFailure.environment("serve exited: \(serve.errorText.suffix(2000))") }
            try await Task.sleep(for: .milliseconds(200))
        }
        report.produced = producer.produced
        report.servePeakResidentBytes = serve.peakResidentBytes
        let expected = CorpusRecount(corpus: corpus, produced: producer.produced)
        let actual = try await Self.stored(postgres: postgres, logger: logger)
        for meter in Set(expected.meters.keys).union(actual.meters.keys).sorted() {
            let want = expected.meters[meter]
            let have = actual.meters[meter]
            if want?.events != have?.events || want?.quantity != have?.quantity {
                report.differences.append("\(meter): stored \(have.map { "\($0.events) events, \($0.quantity)" } ?? "nothing"), "
                                          + "recount \(want.map { "\($0.events) events, \($0.quantity)" } ?? "nothing")")
            }
        }
        return report
    }

    /// Per meter, the events and the summed quantity of every key, as `usage` reads them.
    static func stored(postgres: PostgresClient, logger: Logger) async throws -> CorpusRecount {
        var meters: [String: (events: Int, quantity: String)] = [:]
        let rows = try await postgres.query("""
            SELECT c.meter, sum(c.events)::bigint,
                   trim_scale(CASE c.meter WHEN 'api_calls' THEN sum(c.events)::numeric
                                           WHEN 'storage_gb' THEN sum(c.max_value)
                                           WHEN 'active_users' THEN (SELECT count(*) FROM usage_unique_current u
                                                                     WHERE u.meter = 'active_users')::numeric
                                           ELSE sum(c.sum_value) END)::text
            FROM usage_current c GROUP BY c.meter
            """, logger: logger)
        for try await (meter, events, quantity) in rows.decode((String, Int64, String).self) {
            meters[meter] = (Int(events), quantity)
        }
        return CorpusRecount(meters: meters)
    }
}
