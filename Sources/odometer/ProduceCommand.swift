import ArgumentParser
import Foundation
import KafkaClient
import MeteringCore
import MeteringWorkload
import OdometerService

struct ProduceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "produce", abstract: "Load generator: realistic usage events into the configured topic.")

    @OptionGroup var options: ConfigOptions
    @Option(help: "Events to produce.") var events = 100_000
    @Option(help: "Events per second (default: as fast as possible).") var rate: Int?
    @Option(help: "Accounts the events are spread over.") var accounts = 10_000
    @Option(help: "The period the event times fall in, YYYY-MM (default: this month, UTC).") var period: String?
    @Flag(help: "Spread events uniformly over accounts instead of Zipf.") var uniform = false
    @Option(help: "Random seed, for a reproducible stream (default: the clock). The same seed twice sends the same events, which dedup drops.")
    var seed: UInt64?

    func validate() throws {
        guard events > 0 else { throw ValidationError("--events must be > 0") }
        guard accounts > 0 else { throw ValidationError("--accounts must be > 0") }
        if let rate, rate <= 0 { throw ValidationError("--rate must be > 0") }
        if let period, BillingPeriod(period) == nil { throw ValidationError("--period must be YYYY-MM, e.g. 2026-11") }
    }

    func run() async throws {
        try await CommandFailure.reporting {
            let runtime = try options.runtime()
            let kafka = runtime.configuration.kafka
            let month = period.flatMap(BillingPeriod.init) ?? PeriodCalendar.utc.period(
                containing: EventTime(seconds: Int64(Date().timeIntervalSince1970)))
            do {
                _ = try KafkaTopicInspector(bootstrapServers: kafka.brokers, timeout: .seconds(10), logger: nil)
                    .partitionCount(topic: kafka.topic)
            } catch {
                throw OdometerFailure.environment("\(error)")
            }
            let producer = try KafkaProducer(bootstrapServers: kafka.brokers, properties: kafka.properties, logger: nil)
            let seed = seed ?? UInt64(Date().timeIntervalSince1970)
            // Each seed is a stream of its own: its source keeps its ids apart from other runs' in
            // the dedup window, and running the same seed again re-sends the same events.
            let workload = UsageWorkload(accounts: accounts, period: month, distribution: uniform ? .uniform : .zipf,
                                         source: "odometer-produce/\(seed)")
            let progress = ProgressReporter()
            let started = ContinuousClock.now
            try WorkloadProducer(producer: producer, topic: kafka.topic).produce(
                workload, count: events, seed: seed, rate: rate,
                progress: { progress.update("produce", done: $0, total: events) })
            let seconds = started.duration(to: .now)
            print("produced \(events) events to \(kafka.topic) in \(seconds)")
        }
    }
}
