import Benchmark
import Foundation
import MeteringCore

/// Decode and aggregate of the demo's event shape (5 meters, 10,000 accounts). One scaled
/// iteration is one event, so throughput reads as events/s; MB/s = events/s × the average
/// event size printed at start. `mallocCountTotal` must stay 0 on the hot path once every key
/// exists (CI threshold).
let benchmarks: @Sendable () -> Void = {
    let corpus = EventCorpus(events: 200_000, accounts: 10_000)
    print("corpus: \(corpus.count) events, \(String(format: "%.1f", corpus.averageEventBytes)) bytes per event on average")
    let hotPath = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .mallocCountTotal, .instructions],
        scalingFactor: .mega, maxDuration: .seconds(5), maxIterations: 10,
        thresholds: [.mallocCountTotal: .init(absolute: [.p90: 0])])

    Benchmark("decode", configuration: hotPath) { benchmark in
        let decoder = EventDecoder(catalog: corpus.catalog)
        var index = 0
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(decoder.decode(corpus.event(index)))
            index = index + 1 == corpus.count ? 0 : index + 1
        }
    }

    Benchmark("decode + aggregate", configuration: hotPath) { benchmark in
        let decoder = EventDecoder(catalog: corpus.catalog)
        let aggregator = ShardAggregator(catalog: corpus.catalog, directory: try! AccountDirectory(accounts: []))
        // Warm up: every key exists, so the measured pass only updates.
        for index in 0..<corpus.count where decoder.decode(corpus.event(index)) == nil {
            aggregator.aggregate(decoder, partition: 0, offset: Int64(index))
        }
        var index = 0
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            if decoder.decode(corpus.event(index)) == nil {
                aggregator.aggregate(decoder, partition: 0, offset: Int64(index))
            }
            index = index + 1 == corpus.count ? 0 : index + 1
        }
        benchmark.stopMeasurement()
        blackHole(aggregator.pendingKeys)
    }

    Benchmark("JSONDecoder baseline (decode only)",
              configuration: .init(metrics: [.wallClock, .throughput], scalingFactor: .kilo,
                                   maxDuration: .seconds(5), maxIterations: 10)) { benchmark in
        let decoder = JSONDecoder()
        let payloads = (0..<10_000).map { Data(corpus.event($0)) }
        var index = 0
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try? decoder.decode(BaselineEvent.self, from: payloads[index]))
            index = index + 1 == payloads.count ? 0 : index + 1
        }
    }
}

/// What a conventional Codable consumer would decode from each event.
struct BaselineEvent: Decodable {
    struct Payload: Decodable {
        var tokens: Int?
        var model: String?
        var seconds: String?
        var region: String?
        var gb: Int?
        var user: String?
    }
    var specversion: String
    var id: String
    var source: String
    var type: String
    var subject: String
    var time: String
    var data: Payload?
}
