import OdometerService
import Foundation
import MeteringCore
import MeteringWorkload

/// (b) decode only and (c) decode + aggregate, in memory, over the same events, on `threads`
/// threads at once (each meters its own share of the accounts, as shards do).
struct InMemoryCore {
    let corpus: [[UInt8]]          // per thread: the events of its accounts, concatenated
    let bounds: [[Int]]            // per thread: event start offsets, plus the end
    let totalBytes: Int
    let events: Int
    let catalog: MeterCatalog

    init(workload: UsageWorkload, events: Int, seed: UInt64, threads: Int, catalog: MeterCatalog) {
        var corpus = Array(repeating: [UInt8](), count: threads)
        var bounds = Array(repeating: [Int](), count: threads)
        for event in workload.stream(count: events, seed: seed) {
            let shard = event.account % threads
            bounds[shard].append(corpus[shard].count)
            event.render(into: &corpus[shard])
        }
        for shard in 0..<threads { bounds[shard].append(corpus[shard].count) }
        self.corpus = corpus
        self.bounds = bounds
        totalBytes = corpus.reduce(0) { $0 + $1.count }
        self.events = events
        self.catalog = catalog
    }

    /// The totals rows the whole corpus aggregates to, encoded as a flush encodes them (one shard's
    /// delta per thread): what (e) COPYs, so the ceiling is measured on the rows a flush writes.
    func deltas() -> [ShardDelta] {
        (0..<corpus.count).map { shard in
            let decoder = EventDecoder(catalog: catalog)
            let aggregator = ShardAggregator(catalog: catalog, directory: try! AccountDirectory(accounts: []))
            corpus[shard].withUnsafeBytes { bytes in
                let starts = bounds[shard]
                for index in 0..<(starts.count - 1) {
                    let event = UnsafeRawBufferPointer(rebasing: bytes[starts[index]..<starts[index + 1]])
                    if decoder.decode(event) == nil { aggregator.aggregate(decoder, partition: 0, offset: Int64(index)) }
                }
            }
            return aggregator.drain()
        }
    }

    /// Events per second over all threads.
    func run(aggregate: Bool) -> Double {
        let threads = corpus.count
        let started = ContinuousClock.now
        DispatchQueue.concurrentPerform(iterations: threads) { shard in
            let decoder = EventDecoder(catalog: catalog)
            let aggregator = ShardAggregator(catalog: catalog, directory: try! AccountDirectory(accounts: []))
            corpus[shard].withUnsafeBytes { bytes in
                let starts = bounds[shard]
                for index in 0..<(starts.count - 1) {
                    let event = UnsafeRawBufferPointer(rebasing: bytes[starts[index]..<starts[index + 1]])
                    if decoder.decode(event) == nil, aggregate {
                        aggregator.aggregate(decoder, partition: 0, offset: Int64(index))
                    }
                }
            }
            _ = aggregator.pendingKeys
        }
        return Double(events) / started.duration(to: .now).seconds
    }
}
