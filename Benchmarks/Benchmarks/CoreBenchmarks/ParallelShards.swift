import Foundation
import MeteringCore

/// Two persistent shard threads, each decoding and aggregating its own accounts' events, so a
/// measured iteration starts and joins them without creating threads or allocating. `init`
/// returns once both threads have warmed up (every key exists); create one per process.
final class ParallelShards: @unchecked Sendable {
    // @unchecked Sendable is safe: each thread touches only its own decoder, aggregator and
    // slice of the corpus; `eventsPerRound` is written before `start` signals and read after.
    private let corpus: EventCorpus
    private let shardEvents: [[Int]]
    private let start = [DispatchSemaphore(value: 0), DispatchSemaphore(value: 0)]
    private let done = DispatchSemaphore(value: 0)
    private var eventsPerRound = 0

    init(corpus: EventCorpus) {
        self.corpus = corpus
        var shards: [[Int]] = [[], []]
        // Split by account, as partitions (keyed by subject) split accounts between shards.
        for index in 0..<corpus.count { shards[corpus.accounts[index] % 2].append(index) }
        shardEvents = shards
        for shard in 0..<2 {
            let thread = Thread { [self] in run(shard) }
            thread.start()
        }
        done.wait()   // both warm-ups, so they never overlap a measurement
        done.wait()
    }

    /// Meters `events` events in total, half on each thread, and waits for both.
    func round(events: Int) {
        eventsPerRound = events / 2
        start[0].signal()
        start[1].signal()
        done.wait()
        done.wait()
    }

    private func run(_ shard: Int) {
        let decoder = EventDecoder(catalog: corpus.catalog)
        let aggregator = ShardAggregator(catalog: corpus.catalog, directory: try! AccountDirectory(accounts: []))
        let events = shardEvents[shard]
        for index in events where decoder.decode(corpus.event(index)) == nil {   // warm: every key exists
            aggregator.aggregate(decoder, partition: Int32(shard), offset: 0)
        }
        done.signal()
        var next = 0
        while true {
            start[shard].wait()
            for _ in 0..<eventsPerRound {
                if decoder.decode(corpus.event(events[next])) == nil {
                    aggregator.aggregate(decoder, partition: Int32(shard), offset: Int64(next))
                }
                next = next + 1 == events.count ? 0 : next + 1
            }
            done.signal()
        }
    }
}
