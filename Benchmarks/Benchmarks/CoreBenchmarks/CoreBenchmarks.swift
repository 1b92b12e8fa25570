import Benchmark
import Foundation
import MeteringBuffers
import MeteringCore

/// Decode and aggregate of the demo's event shape (5 meters, 10,000 accounts). One scaled
/// iteration is one event, so throughput reads as events/s; MB/s = events/s × the average
/// event size printed at start. `mallocCountTotal` must stay 0 on the hot path once every key
/// exists (CI threshold).
let benchmarks: @Sendable () -> Void = {
    let corpus = EventCorpus(events: 200_000, accounts: 10_000)
    print("corpus: \(corpus.count) events, \(String(format: "%.1f", corpus.averageEventBytes)) bytes per event on average")
    let hotPath = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
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

    Benchmark("decode-aggregate", configuration: hotPath) { benchmark in
        decodeAndAggregate(corpus, benchmark)
    }

    // The accounts of `odometer bench`: ~300k keys, so most lookups miss the CPU caches.
    let wideCorpus = EventCorpus(events: 1_000_000, accounts: 100_000)
    Benchmark("decode-aggregate-100k-accounts", configuration: hotPath) { benchmark in
        decodeAndAggregate(wideCorpus, benchmark)
    }

    // As a shard meters with dedup on: one event late, two decoders taking turns, the next
    // event decoded before the one before is aggregated. Beside decode-aggregate-100k-accounts,
    // what metering one late costs or saves (the subject's slot is prefetched while decoding).
    Benchmark("decode-aggregate-one-late-100k-accounts", configuration: hotPath) { benchmark in
        let decoders = [EventDecoder(catalog: wideCorpus.catalog), EventDecoder(catalog: wideCorpus.catalog)]
        let aggregator = ShardAggregator(catalog: wideCorpus.catalog, directory: try! AccountDirectory(accounts: []))
        for index in 0..<wideCorpus.count where decoders[0].decode(wideCorpus.event(index)) == nil {
            aggregator.aggregate(decoders[0], partition: 0, offset: Int64(index))
        }
        var index = 0
        var turn = 0
        var waiting: Int64 = -1   // the offset of the decoded event not aggregated yet
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let decoder = decoders[turn]
            if decoder.decode(wideCorpus.event(index)) == nil {
                if waiting >= 0 { aggregator.aggregate(decoders[turn ^ 1], partition: 0, offset: waiting) }
                waiting = Int64(index)
                turn ^= 1
            }
            index = index + 1 == wideCorpus.count ? 0 : index + 1
        }
        benchmark.stopMeasurement()
        blackHole(aggregator.pendingKeys)
    }

    // A flush's hand-off: the window of the wide corpus (about 360k keys) encoded as COPY text rows,
    // on the shard's thread. One iteration is one window: rows/s = keys ÷ the wall clock.
    Benchmark("drain-window-100k-accounts", configuration: .init(
        metrics: [.wallClock, .throughput], scalingFactor: .one, maxDuration: .seconds(10), maxIterations: 10)) { benchmark in
        let decoder = EventDecoder(catalog: wideCorpus.catalog)
        let aggregator = ShardAggregator(catalog: wideCorpus.catalog, directory: try! AccountDirectory(accounts: []))
        for index in 0..<wideCorpus.count where decoder.decode(wideCorpus.event(index)) == nil {
            aggregator.aggregate(decoder, partition: 0, offset: Int64(index))
        }
        let keys = aggregator.pendingKeys
        benchmark.startMeasurement()
        let delta = aggregator.drain(bytesPerRow: 80)
        benchmark.stopMeasurement()
        precondition(delta.totalsRows == keys)
    }

    // The dedup window's work per event on a shard, apart from decoding: the fingerprint (the
    // source's and the id's hashes, and the whole payload's) and the check against 32 partitions'
    // tables, sized ahead as an assignment sizes them. The attributes are decoded before the
    // measurement; each pass of the corpus after the first finds its ids again (duplicates).
    Benchmark("dedup-fingerprint-check-100k-accounts", configuration: .init(
        metrics: [.wallClock, .throughput], scalingFactor: .mega, maxDuration: .seconds(5), maxIterations: 10)) { benchmark in
        let decoder = EventDecoder(catalog: wideCorpus.catalog)
        var attributes: [(source: (UInt64, UInt64), id: (UInt64, UInt64))] = []
        attributes.reserveCapacity(wideCorpus.count)
        for index in 0..<wideCorpus.count {
            precondition(decoder.decode(wideCorpus.event(index)) == nil)
            attributes.append((EventFingerprint.attributeHash(decoder.text(decoder.source)),
                               EventFingerprint.attributeHash(decoder.text(decoder.id))))
        }
        let filter = DedupFilter(window: .seconds(3600), memoryLimitBytes: 1 << 30)
        for partition in 0..<32 { filter.reset(partition: Int32(partition), expectedIds: wideCorpus.count / 32 + 1) }
        // As a shard does: an event's slot is prefetched, and checked after the next event's fingerprint.
        var index = 0
        var previous: (fingerprint: EventFingerprint, partition: Int32)?
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let fingerprint = EventFingerprint(sourceHash: attributes[index].source, idHash: attributes[index].id,
                                               payload: wideCorpus.event(index))
            let partition = Int32(index & 31)
            filter.prefetch(fingerprint, partition: partition)
            if let previous {
                blackHole(filter.check(previous.fingerprint, partition: previous.partition, appendMilliseconds: 1_790_000_000_000))
            }
            previous = (fingerprint, partition)
            index = index + 1 == wideCorpus.count ? 0 : index + 1
        }
    }

    let shards = ParallelShards(corpus: corpus)
    Benchmark("decode-aggregate-2-shards", configuration: hotPath) { benchmark in
        benchmark.startMeasurement()
        shards.round(events: benchmark.scaledIterations.count)
    }

    Benchmark("ring-handoff-batches-of-256", configuration: hotPath) { benchmark in
        let ring = SPSCRing<Int>(capacity: 65_536)
        let total = benchmark.scaledIterations.count
        let batch = UnsafeMutableBufferPointer<Int>.allocate(capacity: 256)
        batch.initialize(repeating: 7)
        let ready = DispatchSemaphore(value: 0)
        let consumer = Thread {
            let received = UnsafeMutableBufferPointer<Int>.allocate(capacity: 256)
            received.initialize(repeating: 0)
            ready.signal()
            var count = 0
            while count < total { count += ring.pop(into: received) }
            received.deallocate()
        }
        consumer.start()
        ready.wait()   // the thread exists before measuring, so its start-up allocations don't count
        benchmark.startMeasurement()
        var sent = 0
        while sent < total {
            sent += ring.push(contentsOf: UnsafeBufferPointer(rebasing: batch[0..<min(256, total - sent)]))
        }
        while !ring.isEmpty {}
        benchmark.stopMeasurement()
        batch.deallocate()
    }

    Benchmark("rating-graduated-charge", configuration: .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal], scalingFactor: .kilo, maxDuration: .seconds(3),
        maxIterations: 10, thresholds: [.mallocCountTotal: .init(absolute: [.p90: 0])])) { benchmark in
        let charge = Charge(meter: "api_tokens", model: .graduated(tiers: [
            PriceTier(upTo: ExactDecimal(1_000_000), unitPrice: .zero, flatFee: ExactDecimal(10)),
            PriceTier(upTo: ExactDecimal(10_000_000), unitPrice: ExactDecimal("0.000002")!),
            PriceTier(upTo: nil, unitPrice: ExactDecimal("0.0000015")!)]), minimum: ExactDecimal(20))
        let usd = Currency(code: "USD")!
        var quantity = ExactDecimal("12345678.123456789")!
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try? charge.rate(quantity: quantity, in: usd))
            quantity = ExactDecimal(raw: quantity.raw &+ 1_000_000_000)
        }
    }

    Benchmark("JSONDecoder-baseline-decode-only",
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

/// One thread decodes and aggregates `corpus`, round and round, after a warm-up pass that creates every
/// key, so the measured passes only update.
func decodeAndAggregate(_ corpus: EventCorpus, _ benchmark: Benchmark) {
    let decoder = EventDecoder(catalog: corpus.catalog)
    let aggregator = ShardAggregator(catalog: corpus.catalog, directory: try! AccountDirectory(accounts: []))
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
