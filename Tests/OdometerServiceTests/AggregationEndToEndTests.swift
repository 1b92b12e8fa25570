import MeteringCore
import MeteringWorkload
import OdometerService
import OdometerTestSupport
import Testing

/// MIN, AVG and LATEST through Kafka, the shards, several flushes and Postgres's merge, checked
/// against a recount done with integers from the generated events.
@Suite(.serialized) struct AggregationEndToEndTests {
    static let meters = UsageWorkload.meters + [
        Meter(slug: "storage_min", eventType: "storage_snapshot", aggregation: .min, valueProperty: try! JSONPath("$.gb")),
        Meter(slug: "storage_avg", eventType: "storage_snapshot", aggregation: .avg, valueProperty: try! JSONPath("$.gb")),
        Meter(slug: "storage_latest", eventType: "storage_snapshot", aggregation: .latest, valueProperty: try! JSONPath("$.gb")),
    ]

    @Test func minAvgAndLatestEqualTheRecount() async throws {
        try await PipelineEnvironment.with(partitions: 4, accounts: 200, meters: Self.meters) { environment in
            try await environment.produce(60_000)
            let pipeline = try environment.pipeline()
            try await environment.meterUntilCaughtUp(pipeline)

            // Per account: every snapshot's (time in ms, sequence, gigabytes).
            var snapshots: [String: [(time: Int64, sequence: Int, gigabytes: Int)]] = [:]
            for event in environment.workload.stream(count: 60_000, seed: 42) {
                if case .storageSnapshot(let gigabytes) = event.kind {
                    snapshots[event.accountID, default: []].append(
                        (event.seconds * 1000 + Int64(event.milliseconds), event.sequence, gigabytes))
                }
            }
            let usage = try await environment.usage()
            let period = environment.period.description
            #expect(!snapshots.isEmpty)
            for (account, list) in snapshots {
                func figure(_ meter: String) -> Recount.Figure? {
                    usage[Recount.key(account: account, meter: meter, period: period, dimensions: [:])]
                }
                let sum = list.reduce(0) { $0 + $1.gigabytes }
                // Partition order equals production order for one account (keyed by subject).
                let latest = list.max { ($0.time, $0.sequence) < ($1.time, $1.sequence) }!
                #expect(figure("storage_min") == .init(quantity: String(list.map(\.gigabytes).min()!), events: list.count))
                #expect(figure("storage_avg") == .init(quantity: Self.average(sum, list.count), events: list.count))
                #expect(figure("storage_latest") == .init(quantity: String(latest.gigabytes), events: list.count))
            }
        }
    }

    /// sum / count, rounded half-even to 12 fractional digits, printed without trailing zeros.
    static func average(_ sum: Int, _ count: Int) -> String {
        let scale = 1_000_000_000_000
        var quotient = sum * scale / count
        let remainder = sum * scale % count
        if remainder * 2 > count || (remainder * 2 == count && quotient % 2 == 1) { quotient += 1 }
        var fraction = String(quotient % scale)
        fraction = String(repeating: "0", count: 12 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return fraction.isEmpty ? String(quotient / scale) : "\(quotient / scale).\(fraction)"
    }
}
