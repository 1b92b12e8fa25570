public import OdometerService
import Foundation
import KafkaClient
public import Logging
import MeteringCore
import PostgresNIO
import PostgresStore

/// `odometer bench --soak`: does `serve` grow with every value it has ever seen (issue 14)? An
/// `odometer serve` child process (its memory alone is measured) meters rounds of login events
/// whose accounts and users are all new, with a new model per hundred requests; after each round
/// is committed, its resident memory is sampled. The curve should flatten after a round or two.
///
/// The dedup window is set to 10 s and rounds are paced 12 s apart, so the window's own memory
/// (rate × window × ~24 B, bounded by its cap) reaches its steady state too instead of holding
/// every round.
public struct SoakRun: Sendable {
    public struct Options: Sendable {
        public var rounds = 8
        public var eventsPerRound = 250_000
        public var partitions: Int32 = 16
        public var shards = 2
        public var roundSpacing: Duration = .seconds(12)
        public init() {}
    }

    public struct Round: Sendable {
        public var round: Int
        public var committed: Int
        /// At rest: after the round is committed and the spacing has passed (serve gives free
        /// memory back every 10 s).
        public var residentBytes: Int
        /// The largest resident size while the round was produced and metered.
        public var peakBytes: Int
    }

    public struct Report: Sendable {
        public var options: Options
        public var rounds: [Round] = []

        /// The largest resident size from the second round on, over the second round's.
        public func growthAfterSecondRound(_ size: KeyPath<Round, Int>) -> Double {
            guard rounds.count >= 2, rounds[1][keyPath: size] > 0 else { return 0 }
            return Double(rounds.dropFirst(1).map { $0[keyPath: size] }.max()!) / Double(rounds[1][keyPath: size])
        }

        public var text: String {
            func ratio(_ round: Round, _ size: KeyPath<Round, Int>) -> String {
                rounds.count >= 2 ? String(format: "%.2f", Double(round[keyPath: size]) / Double(max(rounds[1][keyPath: size], 1))) : ""
            }
            let rows = rounds.map { round in
                [String(round.round), String(round.committed), "\(round.residentBytes / 1_048_576) MiB", ratio(round, \.residentBytes),
                 "\(round.peakBytes / 1_048_576) MiB", ratio(round, \.peakBytes)]
            }
            return """
                soak: \(options.rounds) rounds of \(options.eventsPerRound) events with all-new accounts and users \
                (serve as a child process, dedupWindow 10s)

                \(TextTable(header: ["ROUND", "COMMITTED", "RSS AT REST", "× ROUND 2", "PEAK RSS", "× ROUND 2"], rows: rows,
                            rightAligned: [0, 1, 2, 3, 4, 5]).render())

                largest from round 2 on: at rest \(String(format: "%.2f", growthAfterSecondRound(\.residentBytes))) × round 2, \
                peak \(String(format: "%.2f", growthAfterSecondRound(\.peakBytes))) × round 2
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
        try await BenchBed.with(durable: false, logger: logger) { kafka, postgres, url in
            try kafka.createTopic("soak", partitions: options.partitions)
            try kafka.createTopic("soak.dlq", partitions: 1)
            return try await soak(kafka: kafka, postgres: postgres, databaseURL: url)
        }
    }

    private func soak(kafka: KafkaMockCluster, postgres: PostgresClient, databaseURL: String) async throws -> Report {
        let serve = try ServeChild(brokers: kafka.bootstrapServers, databaseURL: databaseURL, topic: "soak",
                                   shards: options.shards, pipeline: "dedupWindow: 10s")
        defer { serve.stop() }
        let producer = try KafkaProducer(bootstrapServers: kafka.bootstrapServers, properties: BenchRun.producerProperties,
                                         logger: nil)
        let offsets = PartitionOffsetStore(client: postgres, logger: logger)
        var report = Report(options: options)
        var produced = 0
        let clock = ContinuousClock()
        for round in 1...options.rounds {
            let started = clock.now
            serve.resetPeakResident()
            for index in 0..<options.eventsPerRound {
                let account = "soak-r\(round)-a\(index % 25_000)"
                let event: String
                if index % 10 == 9 {
                    event = #"{"specversion":"1.0","id":"r\#(round)-\#(index)","source":"soak","type":"api_request","subject":"\#(account)","time":"2026-10-15T12:00:00Z","data":{"tokens":7,"model":"m-r\#(round)-\#(index % 1000)"}}"#
                } else {
                    event = #"{"specversion":"1.0","id":"r\#(round)-\#(index)","source":"soak","type":"user_login","subject":"\#(account)","time":"2026-10-15T12:00:00Z","data":{"user":"u-r\#(round)-\#(index)"}}"#
                }
                try producer.produce(topic: "soak", key: Array(account.utf8), value: Array(event.utf8))
            }
            try producer.flush(timeout: .seconds(120))
            produced += options.eventsPerRound
            var committed = 0
            while committed < produced {
                guard serve.isRunning else { throw OdometerFailure.environment("serve exited: \(serve.errorText.suffix(2000))") }
                try await Task.sleep(for: .milliseconds(200))
                committed = try await offsets.rows(group: "bench-soak", topic: "soak").values.reduce(0) { $0 + Int($1.nextOffset) }
            }
            let peak = serve.peakResidentBytes
            // At rest: at least the round spacing from its start, and one of serve's 10 s
            // free-memory intervals after its commit.
            try await Task.sleep(for: max(clock.now.duration(to: started + options.roundSpacing), .seconds(11)))
            report.rounds.append(Round(round: round, committed: committed, residentBytes: serve.residentBytes, peakBytes: peak))
            progress.note("soak: round \(round): \(committed) committed, serve \(serve.residentBytes / 1_048_576) MiB at rest, "
                          + "peak \(peak / 1_048_576) MiB")
        }
        return report
    }
}
