public import OdometerService
import Foundation
import KafkaClient
public import Logging
import MeteringCore
public import MeteringWorkload
import PostgresNIO
import PostgresStore

/// `odometer bench`: one run on one generated topic, every figure beside the ceilings measured
/// in the same run (DESIGN §8): the raw librdkafka consume rate of the topic and the Postgres
/// COPY rate of the same rows, and peers (DuckDB, Polars, a naive one-upsert-per-event consumer).
public struct BenchRun: Sendable {
    public struct Options: Sendable {
        public var events = 2_000_000
        public var accounts = 100_000
        public var distribution = UsageWorkload.Distribution.zipf
        public var partitions: Int32 = 64
        public var shards = 2
        public var naiveDuration: Duration = .seconds(20)
        public var latencyEvents = 1_000_000
        public var latencyRate = 1_000_000
        /// The autogroup nice the bench's session runs at beside its Postgres (nil: as started).
        public var pipelineNice: Int?
        /// Instead of the suite: (a), then end to end (d) this many times, then (e) once, each
        /// repetition beside (a) and (e): the spread of (d) on a noisy machine, for an A/B.
        public var endToEndRepetitions: Int?
        public init() {}
    }

    public let options: Options
    let logger: Logger
    let progress: ProgressReporter

    public init(options: Options, logger: Logger, progress: ProgressReporter) {
        self.options = options
        self.logger = logger
        self.progress = progress
    }

    public func run() async throws -> BenchReport {
        try await BenchBed.with(durable: true, logger: logger) { kafka, postgres, _ in
            try await measure(kafka: kafka, postgres: postgres)
        }
    }

    private func measure(kafka: KafkaMockCluster, postgres: PostgresClient) async throws -> BenchReport {
        let period = BillingPeriod("2026-10")!
        let workload = UsageWorkload(accounts: options.accounts, period: period, distribution: options.distribution)
        let catalog = MeterCatalog(meters: UsageWorkload.meters)
        var report = BenchReport(events: options.events, accounts: options.accounts,
                                 distribution: options.distribution.rawValue)
        let topic = "bench"
        try kafka.createTopic(topic, partitions: options.partitions)
        try kafka.createTopic("\(topic).dlq", partitions: 1)

        progress.note("bench: producing \(options.events) events to \(options.partitions) partitions")
        // Compressed, as production topics usually are; it also lets the mock's partitions, which
        // keep about 5 MiB each (DESIGN §9), hold the hottest accounts of a Zipf workload.
        let producer = try KafkaProducer(bootstrapServers: kafka.bootstrapServers, properties: Self.producerProperties,
                                         logger: nil)
        try WorkloadProducer(producer: producer, topic: topic).produce(
            workload, count: options.events, seed: 1, progress: { progress.update("produce", done: $0, total: options.events) })
        let ends = try CatchUp.endOffsets(brokers: kafka.bootstrapServers, topic: topic)

        progress.note("bench: (a) raw librdkafka consume ceiling, best of 3 reads")
        let ceiling = try SourceCeiling.measure(brokers: kafka.bootstrapServers, topic: topic, messages: options.events)
        report.results.append(.init(name: "source_ceiling", eventsPerSecond: ceiling.eventsPerSecond,
                                    megabytesPerSecond: ceiling.megabytesPerSecond, ratio: 1.0,
                                    note: "best of \(ceiling.reads.count) reads: "
                                        + ceiling.reads.map { String(format: "%.2f M", $0 / 1e6) }.joined(separator: ", ")))

        if let repetitions = options.endToEndRepetitions {
            try await repeatEndToEnd(repetitions, ceiling: ceiling.eventsPerSecond, topic: topic, kafka: kafka,
                                     postgres: postgres, catalog: catalog, workload: workload, ends: ends, into: &report)
            return report
        }

        // (d) best of 3, as (a), (b), (c) and (e): one run is one sample of a noisy machine
        // (±10% between repetitions), and the ceilings are each the best of theirs.
        progress.note("bench: (d) end to end without dedup, for the cost of dedup, best of 3")
        let withoutDedup = try await bestEndToEnd(group: "bench-e2e-no-dedup", topic: topic, kafka: kafka,
                                                  postgres: postgres, catalog: catalog, ends: ends, dedup: nil)
        report.results.append(.init(name: "end_to_end_no_dedup", eventsPerSecond: withoutDedup.best.eventsPerSecond,
                                    ratio: withoutDedup.best.eventsPerSecond / ceiling.eventsPerSecond,
                                    note: "dedup off, " + withoutDedup.summary + ", \(withoutDedup.best.flushes) flushes, "
                                        + "\(withoutDedup.best.stalls), " + withoutDedup.best.timing))
        try await emptyUsageTables(postgres)

        progress.note("bench: (d) end to end, exactly once, into Postgres (fsync on), best of 3")
        MachineFacts.resetPeakResident()
        let endToEndRuns = try await bestEndToEnd(group: "bench-e2e", topic: topic, kafka: kafka, postgres: postgres,
                                                  catalog: catalog, ends: ends, dedup: DedupSettings())
        let endToEnd = endToEndRuns.best
        // The pipeline's peak (with the in-process mock broker holding the topic): from the
        // start of (d), before (e) builds its rows and (b, c) and the peers load the topic.
        report.peakResidentBytes = MachineFacts.peakResidentBytes()
        report.activeKeys = endToEnd.distinctRows
        report.results.append(.init(name: "end_to_end", eventsPerSecond: endToEnd.eventsPerSecond,
                                    ratio: endToEnd.eventsPerSecond / ceiling.eventsPerSecond,
                                    note: "dedup on, " + endToEndRuns.summary + ", \(endToEnd.flushes) flushes, \(endToEnd.rows) rows "
                                        + "written (totals and unique members), " + endToEnd.stalls + ", " + endToEnd.timing))
        report.dedupRememberedIds = endToEnd.dedup.ids
        report.dedupBytes = endToEnd.dedup.bytes

        // (d) leaves its deltas for the compactor. Folded here, between phases, they are timed on
        // their own; left in place, the next pipelines' compactors took a core of Postgres for
        // seconds in the middle of (h) and of the latency phase.
        progress.note("bench: compaction of (d)'s deltas into the totals")
        let compaction = try await compactAll(postgres: postgres)
        report.results.append(.init(name: "compaction", rowsPerSecond: compaction.rowsPerSecond,
                                    note: "\(compaction.rows) delta rows (totals and unique members) folded into "
                                        + "\(compaction.keys) totals rows in \(compaction.compactions) compactions"))

        progress.note("bench: (h) restart: a new pipeline reads the whole dedup window again")
        let rebuild = try await rebuildDedupWindow(topic: topic, group: "bench-e2e", kafka: kafka, postgres: postgres,
                                                   catalog: catalog, messages: ends.values.reduce(0, +))
        report.results.append(.init(name: "dedup_rebuild", eventsPerSecond: rebuild,
                                    ratio: rebuild / ceiling.eventsPerSecond,
                                    note: "messages re-read per second after an assignment"))

        let core = InMemoryCore(workload: workload, events: options.events, seed: 1, threads: options.shards, catalog: catalog)
        progress.note("bench: (e) Postgres sink ceiling: COPY of the topic's delta rows")
        let sink = try await sinkCeiling(core: core, postgres: postgres)
        report.results.append(.init(name: "sink_ceiling", rowsPerSecond: sink.rowsPerSecond,
                                    note: "COPY of the topic's \(sink.rows) delta rows (totals and unique members) into tables like the delta tables, best of 3"))
        report.results.append(.init(name: "flush", rowsPerSecond: endToEnd.flushRowsPerSecond,
                                    ratio: endToEnd.flushRowsPerSecond / sink.rowsPerSecond,
                                    note: "rows ÷ summed flush transaction time in the best (d), ratio to (e) (in the three: "
                                        + endToEndRuns.all.map { String(format: "%.2f", $0.flushRowsPerSecond / sink.rowsPerSecond) }
                                            .joined(separator: ", ") + "); with the shards' hand-off "
                                        + "\(Int(endToEnd.flushWithHandoffRowsPerSecond / 1000)) k rows/s; "
                                        + (options.pipelineNice.map { "the bench at autogroup nice \($0), Postgres at 0" }
                                            ?? "the bench and Postgres at the same priority")))

        progress.note("bench: (b, c) decode and aggregate in memory on \(options.shards) threads")
        _ = core.run(aggregate: true)   // warm-up: page in the corpus, build the tables
        // Best of 3, as (a), (e) and the peers: a figure of the code, not of the VM's worst moment.
        let decode = (0..<3).map { _ in core.run(aggregate: false) }.max()!
        let aggregate = (0..<3).map { _ in core.run(aggregate: true) }.max()!
        let bytesPerEvent = Double(core.totalBytes) / Double(options.events)
        report.results.append(.init(name: "decode", eventsPerSecond: decode, megabytesPerSecond: decode * bytesPerEvent / 1e6,
                                    ratio: decode / ceiling.eventsPerSecond, note: "\(options.shards) threads, best of 3"))
        report.results.append(.init(name: "aggregate", eventsPerSecond: aggregate,
                                    megabytesPerSecond: aggregate * bytesPerEvent / 1e6,
                                    ratio: aggregate / ceiling.eventsPerSecond, note: "decode + aggregate, \(options.shards) threads, best of 3"))

        progress.note("bench: (f) peers over the same events as NDJSON")
        let ndjson = FileManager.default.temporaryDirectory.appendingPathComponent("odometer-bench-\(UUID().uuidString).ndjson")
        try writeNDJSON(core, to: ndjson)
        defer { try? FileManager.default.removeItem(at: ndjson) }
        for engine in ["duckdb", "polars"] {
            let outcome = PeerBenchmarks.run(engine: engine, ndjson: ndjson, events: options.events,
                                             threads: report.machine.cores)
            report.results.append(.init(name: engine, eventsPerSecond: outcome.eventsPerSecond, skipped: outcome.skipped,
                                        note: outcome.eventsPerSecond.map { _ in "read NDJSON + GROUP BY, \(report.machine.cores) threads, best of 3" }))
        }

        progress.note("bench: (g) naive consumer, one upsert transaction per event, \(options.naiveDuration)")
        let naive = try await NaiveConsumer.measure(brokers: kafka.bootstrapServers, topic: topic, catalog: catalog,
                                                    postgres: postgres, duration: options.naiveDuration, logger: logger)
        report.results.append(.init(name: "naive_upsert", eventsPerSecond: naive, ratio: naive / ceiling.eventsPerSecond))

        progress.note("bench: latency at \(options.latencyRate) events/s offered")
        report.latency = try await measureLatency(rate: options.latencyRate, name: "bench-latency", kafka: kafka,
                                                  postgres: postgres, catalog: catalog, workload: workload)
        if let rate = report.latency?.reachableRate {
            progress.note("bench: latency at \(rate) events/s offered, a load the producer reaches beside the pipeline")
            // The first phase's deltas are folded first, so no compactor runs in the middle of this one.
            _ = try await compactAll(postgres: postgres)
            report.latencyAtReachedLoad = try await measureLatency(rate: rate, name: "bench-latency-reached", kafka: kafka,
                                                                   postgres: postgres, catalog: catalog, workload: workload)
        }
        report.results.sort { BenchReport.order(of: $0.name) < BenchReport.order(of: $1.name) }
        return report
    }

    /// Empties the totals and the delta tables, so the next end-to-end run meters into nothing.
    private func emptyUsageTables(_ postgres: PostgresClient) async throws {
        try await postgres.query("TRUNCATE usage_totals, usage_unique_values, usage_deltas, usage_unique_deltas, usage_delta_batches",
                                 logger: logger)
    }

    /// (d) three times, each in a new group (`group` the last) and into emptied tables; the last
    /// leaves its deltas and its offsets for the phases after it. The best run, all three, and
    /// "best of 3 (their rates)" for the notes.
    private func bestEndToEnd(group: String, topic: String, kafka: KafkaMockCluster, postgres: PostgresClient,
                              catalog: MeterCatalog, ends: [Int32: Int64], dedup: DedupSettings?) async throws
        -> (best: PipelineFigures, all: [PipelineFigures], summary: String) {
        var runs: [PipelineFigures] = []
        for attempt in 1...3 {
            if attempt > 1 { try await emptyUsageTables(postgres) }
            runs.append(try await runPipeline(topic: topic, group: attempt == 3 ? group : "\(group)-\(attempt)", kafka: kafka,
                                              postgres: postgres, catalog: catalog, ends: ends, dedup: dedup))
        }
        let best = runs.max { $0.eventsPerSecond < $1.eventsPerSecond }!
        let rates = runs.map { BenchReport.rate($0.eventsPerSecond) }.joined(separator: ", ")
        return (best, runs, "best of 3 (\(rates))")
    }

    /// `endToEndRepetitions`: (d) `count` times (dedup on, a new group each, the tables emptied
    /// between), then (e); each repetition's end to end beside (a), its flush beside (e).
    private func repeatEndToEnd(_ count: Int, ceiling: Double, topic: String, kafka: KafkaMockCluster,
                                postgres: PostgresClient, catalog: MeterCatalog, workload: UsageWorkload,
                                ends: [Int32: Int64], into report: inout BenchReport) async throws {
        var runs: [PipelineFigures] = []
        for repetition in 1...count {
            progress.note("bench: (d) end to end, repetition \(repetition) of \(count)")
            runs.append(try await runPipeline(topic: topic, group: "bench-e2e-\(repetition)", kafka: kafka, postgres: postgres,
                                              catalog: catalog, ends: ends, dedup: DedupSettings()))
            try await emptyUsageTables(postgres)
        }
        progress.note("bench: (e) Postgres sink ceiling: COPY of the topic's delta rows")
        let core = InMemoryCore(workload: workload, events: options.events, seed: 1, threads: options.shards, catalog: catalog)
        let sink = try await sinkCeiling(core: core, postgres: postgres)
        report.results.append(.init(name: "sink_ceiling", rowsPerSecond: sink.rowsPerSecond,
                                    note: "COPY of the topic's \(sink.rows) delta rows, best of 3"))
        for (index, run) in runs.enumerated() {
            let label = "repetition \(index + 1) of \(count)"
            report.results.append(.init(name: "end_to_end", eventsPerSecond: run.eventsPerSecond,
                                        ratio: run.eventsPerSecond / ceiling,
                                        note: "\(label): \(run.flushes) flushes, \(run.rows) rows written, \(run.stalls)"))
            report.results.append(.init(name: "flush", rowsPerSecond: run.flushRowsPerSecond,
                                        ratio: run.flushRowsPerSecond / sink.rowsPerSecond, note: "\(label), ratio to (e)"))
        }
        report.summary = "over \(count) repetitions: end to end ÷ (a) "
            + BenchReport.spread(runs.map { $0.eventsPerSecond / ceiling }) + "; flush ÷ (e) "
            + BenchReport.spread(runs.map { $0.flushRowsPerSecond / sink.rowsPerSecond })
    }

    /// Runs `pipeline` while `body` measures it, then stops it (cancels it and waits for its end)
    /// whether or not `body` threw: a phase that failed (a catch-up timeout, a topic the mock cut
    /// short) left its pipeline running, and its compactor logged "compaction failed" several
    /// times a second against the Postgres client the bench had shut down.
    private static func whileRunning<Result>(_ pipeline: IngestPipeline,
                                             _ body: () async throws -> Result) async throws -> Result {
        let running = Task { try await pipeline.run() }
        let result: Result
        do {
            result = try await body()
        } catch {
            running.cancel()
            _ = try? await running.value
            throw error
        }
        running.cancel()
        try await running.value
        return result
    }

    /// (d) and (h) leave compaction to the bench, which folds (d)'s deltas between phases and
    /// times it (`compaction`): `serve`'s compactor yields to busy ingest anyway (backlog below
    /// half the limit), but it starts as soon as ingest goes quiet, i.e. in the tail of a phase,
    /// where it was neither timed nor out of the next phase's way.
    static let compactionBetweenPhases: CompactionSettings = {
        var settings = CompactionSettings()
        settings.interval = .seconds(3600)
        settings.batchRows = 100_000_000
        return settings
    }()

    static let producerProperties = ["compression.codec": "zstd", "linger.ms": "50", "batch.size": "4000000"]

    struct PipelineFigures {
        /// Events committed ÷ the time from the pipeline's first message to its last commit.
        var eventsPerSecond: Double
        /// The same over the time from the first assignment to the catch-up the bench saw in Postgres.
        var eventsPerSecondFromAssignment: Double
        var flushes: Int
        var rows: Int
        var distinctRows: Int
        var dedup: (ids: Int, bytes: Int)
        /// Rows written (totals and unique members) ÷ the summed time of the flushes' Postgres
        /// transactions (first statement to last commit), which is what (e) times for already encoded rows.
        var flushRowsPerSecond: Double
        /// Rows written ÷ the summed time of the whole flushes, the shards' hand-off and encoding included.
        var flushWithHandoffRowsPerSecond: Double
        /// Times a shard's backlog paused its partitions, and a full window made a shard wait for the flusher.
        var pauses: Int
        var windowStalls: Int

        var stalls: String { "\(pauses) pauses, \(windowStalls) window stalls" }
        var timing: String {
            "first message to last commit (\(BenchReport.rate(eventsPerSecondFromAssignment))/s from the assignment to the catch-up seen)"
        }
    }

    private func runPipeline(topic: String, group: String, kafka: KafkaMockCluster, postgres: PostgresClient,
                             catalog: MeterCatalog, ends: [Int32: Int64], dedup: DedupSettings?) async throws -> PipelineFigures {
        var settings = IngestSettings(brokers: kafka.bootstrapServers, topic: topic, group: group, shards: options.shards,
                                      sessionTimeout: .seconds(6), dedup: dedup)
        settings.compaction = Self.compactionBetweenPhases
        let pipeline = try IngestPipeline(settings: settings, catalog: catalog, directory: try AccountDirectory(accounts: []),
                                          postgres: postgres, logger: logger)
        let started = ContinuousClock.now
        let (seconds, secondsFromAssignment) = try await Self.whileRunning(pipeline) {
            try await CatchUp.wait(for: ends, group: group, topic: topic, postgres: postgres, timeout: .seconds(900),
                                   logger: logger) { committed, total in
                progress.update("meter", done: Int(committed), total: Int(total))
            }
            let fromAssignment = (await pipeline.firstAssignment ?? started).duration(to: .now).seconds
            // Timed as (a) is: from the first message in to the commit that covered the last.
            guard let first = pipeline.firstMessage, let last = await pipeline.lastCommit else {
                return (fromAssignment, fromAssignment)
            }
            return (first.duration(to: last).seconds, fromAssignment)
        }
        let committed = await pipeline.committed
        let distinct = Int(try await UsageQueries(client: postgres, logger: logger).totalsCount())
        let written = committed.keys + committed.uniqueRows
        return PipelineFigures(eventsPerSecond: Double(committed.events) / seconds,
                               eventsPerSecondFromAssignment: Double(committed.events) / secondsFromAssignment,
                               flushes: committed.flushes,
                               rows: written, distinctRows: distinct, dedup: await pipeline.dedupFootprint,
                               flushRowsPerSecond: Double(written) / committed.writeDuration.seconds,
                               flushWithHandoffRowsPerSecond: Double(written) / committed.duration.seconds,
                               pauses: pipeline.backPressurePauses, windowStalls: pipeline.windowStalls)
    }

    /// Compacts every delta waiting, as `serve`'s compactor would while ingest is quiet (its
    /// default batch of rows at a time), and returns the rows folded per second.
    private func compactAll(postgres: PostgresClient) async throws
        -> (rowsPerSecond: Double, rows: Int64, keys: Int64, compactions: Int) {
        let compactor = DeltaCompactor(client: postgres, logger: logger)
        let batchRows = CompactionSettings().batchRows
        let started = ContinuousClock.now
        var (rows, keys, compactions) = (Int64(0), Int64(0), 0)
        while let report = try await compactor.compact(maxRows: batchRows), report.rows + report.uniqueRows > 0 {
            rows += report.rows + report.uniqueRows
            keys += report.keys
            compactions += 1
        }
        return (Double(rows) / started.duration(to: .now).seconds, rows, keys, compactions)
    }

    /// A new pipeline in a group that has metered the whole topic within the dedup window: it
    /// re-reads every message to rebuild the window before metering anything new. Returns the
    /// messages re-read per second, from its assignment until the last one.
    private func rebuildDedupWindow(topic: String, group: String, kafka: KafkaMockCluster, postgres: PostgresClient,
                                    catalog: MeterCatalog, messages: Int64) async throws -> Double {
        var settings = IngestSettings(brokers: kafka.bootstrapServers, topic: topic, group: group, shards: options.shards,
                                      sessionTimeout: .seconds(6), dedup: DedupSettings())
        settings.compaction = Self.compactionBetweenPhases
        let pipeline = try IngestPipeline(settings: settings, catalog: catalog, directory: try AccountDirectory(accounts: []),
                                          postgres: postgres, logger: logger)
        let seconds = try await Self.whileRunning(pipeline) {
            let deadline = ContinuousClock.now + .seconds(600)
            while Int64(pipeline.messagesReadForDedup) < messages, ContinuousClock.now < deadline {
                progress.update("rebuild", done: pipeline.messagesReadForDedup, total: Int(messages))
                try await Task.sleep(for: .milliseconds(20))
            }
            return (await pipeline.firstAssignment ?? .now).duration(to: .now).seconds
        }
        return Double(pipeline.messagesReadForDedup) / seconds
    }

    /// COPY of the rows the topic's deltas come to, all kinds a flush writes: totals rows (in
    /// their two shapes) and UNIQUE_COUNT members.
    private func sinkCeiling(core: InMemoryCore, postgres: PostgresClient) async throws -> (rowsPerSecond: Double, rows: Int) {
        var totals = TotalsCopyRows(reservingBytes: 0)
        var members = UniqueValueCopyRows(reservingBytes: 0)
        for delta in core.deltas() {
            delta.totals.bytes.withUnsafeBytes { totals.appendEncodedRows($0, rows: delta.totals.rows, shape: .full) }
            delta.additiveTotals.bytes.withUnsafeBytes {
                totals.appendEncodedRows($0, rows: delta.additiveTotals.rows, shape: .additive)
            }
            delta.uniqueValues.bytes.withUnsafeBytes { members.appendEncodedRows($0, rows: delta.uniqueValues.rows) }
        }
        let seconds = try await SinkCeiling.copy(totals, members, client: postgres, logger: logger)
        return (Double(totals.count + members.count) / seconds, totals.count + members.count)
    }

    private func writeNDJSON(_ core: InMemoryCore, to file: URL) throws {
        var data = Data()
        data.reserveCapacity(core.totalBytes + options.events)
        for (shard, bytes) in core.corpus.enumerated() {
            let starts = core.bounds[shard]
            for index in 0..<(starts.count - 1) {
                data.append(contentsOf: bytes[starts[index]..<starts[index + 1]])
                data.append(0x0A)
            }
        }
        try data.write(to: file)
    }

    /// Latency from append to committed total while a producer offers `rate` events per second
    /// to a new topic `name` (its consumer group too), metered by a new pipeline.
    private func measureLatency(rate: Int, name topic: String, kafka: KafkaMockCluster, postgres: PostgresClient,
                                catalog: MeterCatalog, workload: UsageWorkload) async throws -> BenchLatency? {
        try kafka.createTopic(topic, partitions: options.partitions)
        try kafka.createTopic("\(topic).dlq", partitions: 1)
        let settings = IngestSettings(brokers: kafka.bootstrapServers, topic: topic, group: topic,
                                      shards: options.shards, sessionTimeout: .seconds(6), dedup: DedupSettings())
        let pipeline = try IngestPipeline(settings: settings, catalog: catalog, directory: try AccountDirectory(accounts: []),
                                          postgres: postgres, logger: logger)
        // Rendered up front and sent by a thread of its own (large batches; zstd like the main topic,
        // since the mock's partitions keep about 5 MiB each), so the offered load is the
        // producer's to reach, not the renderer's. A message's timestamp is taken when the
        // producer queues it, so its local queue is kept short: with room for 2 M messages, a
        // producer sending half the offered rate held seconds of them, and the latency counted
        // them (p50 / p99 1.30 / 3.13 s against 0.41 / 0.75 s with 50,000, at 0.50 and 0.52 M/s
        // achieved). 50,000 is about 0.1 s at the rate reached here, and is counted in.
        let corpus = RenderedCorpus(workload: workload, count: min(options.latencyEvents, 1_000_000), seed: 2)
        let (samples, achieved) = try await Self.whileRunning(pipeline) {
            while await pipeline.firstAssignment == nil { try await Task.sleep(for: .milliseconds(50)) }
            try await Task.sleep(for: .milliseconds(500))
            let producer = try CorpusProducer(
                brokers: kafka.bootstrapServers, topic: topic, corpus: corpus,
                properties: Self.producerProperties.merging(["linger.ms": "5", "batch.num.messages": "100000",
                                                             "queue.buffering.max.messages": "50000"]) { $1 },
                rate: rate)
            producer.start(limit: options.latencyEvents)
            producer.wait()
            let achieved = Double(options.latencyEvents) / (producer.duration ?? .seconds(1)).seconds
            let ends = try CatchUp.endOffsets(brokers: kafka.bootstrapServers, topic: topic)
            try await CatchUp.wait(for: ends, group: topic, topic: topic, postgres: postgres,
                                   timeout: .seconds(600), logger: logger)
            return (await pipeline.commitLatencies.sorted(), achieved)
        }
        guard !samples.isEmpty else { return nil }
        func percentile(_ p: Double) -> Double { Double(samples[min(samples.count - 1, Int(Double(samples.count) * p))]) }
        return BenchLatency(offeredPerSecond: Double(rate), achievedPerSecond: achieved, p50Milliseconds: percentile(0.5),
                            p99Milliseconds: percentile(0.99), samples: samples.count)
    }
}
