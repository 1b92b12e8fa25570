import ArgumentParser
import MeteringWorkload
import OdometerConfig
import OdometerBench
import OdometerService

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "The benchmark suite in one run: every figure beside the source and sink ceilings of the same run.")

    @Option(help: "Events in the generated topic.") var events = 2_000_000
    @Option(help: "Accounts the events are spread over.") var accounts = 100_000
    @Option(help: "Partitions of the topic.") var partitions: Int32 = 64
    @Option(help: "Aggregation shards (threads).") var shards = 2
    @Option(help: "Seconds the naive one-upsert-per-event consumer runs.") var naiveSeconds = 20
    @Option(help: "Offered load (events/s) of the latency phase.") var latencyRate = 1_000_000
    @Flag(help: "Spread events uniformly over accounts (worst case for flush size) instead of Zipf.") var uniform = false
    @Flag(help: "Print the JSON object of DESIGN §8.") var json = false
    @Option(help: ArgumentHelp("Instead of the suite: a sustained run of this long (e.g. 120s) with serve as a child process, "
                               + "printing the committed rate, the compaction backlog and serve's memory over time.",
                               valueName: "duration"))
    var duration: String?
    @Flag(help: "Instead of the suite: rounds of events with all-new accounts and values, printing serve's memory after each.")
    var soak = false
    @Option(help: ArgumentHelp("Instead of the suite: the source ceiling, then end to end this many times, then the sink "
                               + "ceiling; every repetition beside both (the spread of end to end, for an A/B of a change).",
                               valueName: "n"))
    var repeatEndToEnd: Int?
    @Option(help: "Rounds of the soak.") var rounds = 8
    @Option(help: "Events per round of the soak.") var roundEvents = 250_000

    private func soakRun() async throws {
        var options = SoakRun.Options()
        options.rounds = rounds
        options.eventsPerRound = roundEvents
        options.shards = shards
        try await CommandFailure.reporting {
            let report = try await SoakRun(options: options, logger: CommandLogging.logger(),
                                           progress: ProgressReporter(enabled: true)).run()
            print(report.text)
        }
    }

    private func sustained(_ text: String) async throws {
        guard let duration = DurationText.parse(text), duration > .zero else {
            throw ValidationError("--duration must be a duration such as 120s or 10m")
        }
        var options = SustainedRun.Options()
        options.duration = duration
        options.accounts = accounts
        options.partitions = partitions
        options.shards = shards
        options.distribution = uniform ? .uniform : .zipf
        try await CommandFailure.reporting {
            let report = try await SustainedRun(options: options, logger: CommandLogging.logger(),
                                                progress: ProgressReporter(enabled: true)).run()
            print(report.text)
            if !report.differences.isEmpty { throw OdometerFailure.user("the totals differ from the recount") }
        }
    }

    func validate() throws {
        guard events > 0, accounts > 0, partitions > 0, shards > 0, naiveSeconds > 0, latencyRate > 0 else {
            throw ValidationError("--events, --accounts, --partitions, --shards, --naive-seconds and --latency-rate must be > 0")
        }
        if let repeatEndToEnd, repeatEndToEnd < 1 { throw ValidationError("--repeat-end-to-end must be at least 1") }
        let modes = [duration.map { _ in "--duration" }, soak ? "--soak" : nil, repeatEndToEnd.map { _ in "--repeat-end-to-end" }]
            .compactMap { $0 }
        if modes.count > 1 {
            throw ValidationError("\(modes.joined(separator: " and ")) each run instead of the suite: give one of them")
        }
    }

    func run() async throws {
        if duration == nil, !soak, let status = BenchSession.runInOwnSession() {
            if status != 0 { throw ExitCode(status) }
            return
        }
        let interrupts = BenchSession.stopPostgresOnSignal()
        defer { interrupts.forEach { $0.cancel() } }
        if let duration { return try await sustained(duration) }
        if soak { return try await soakRun() }
        var options = BenchRun.Options()
        options.pipelineNice = BenchSession.yieldToPostgres()
        options.events = events
        options.accounts = accounts
        options.partitions = partitions
        options.shards = shards
        options.distribution = uniform ? .uniform : .zipf
        options.naiveDuration = .seconds(naiveSeconds)
        options.latencyRate = latencyRate
        options.latencyEvents = min(events, max(latencyRate * 2, 100_000))
        options.endToEndRepetitions = repeatEndToEnd
        try await CommandFailure.reporting {
            let report = try await BenchRun(options: options, logger: CommandLogging.logger(),
                                            progress: ProgressReporter(enabled: !json)).run()
            print(json ? report.json : report.table)
        }
    }
}
