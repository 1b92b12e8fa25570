import Foundation
import Logging
import MeteringCore
import MeteringWorkload
@testable import OdometerService
import Synchronization
import OdometerTestSupport
import Testing

/// The lock-free path under load: one producer thread feeding two shard threads through small
/// SPSC rings (so back-pressure kicks in), and a flusher taking deltas through the hand-off
/// while the shards keep metering. The merged deltas must equal a single-threaded recount
/// exactly. CI runs this suite under ThreadSanitizer (`swift test --sanitize=thread`).
@Suite struct ShardStressTests {
    @Test func concurrentShardsAndFlusherEqualASingleThreadedRecount() async throws {
        let corpus = StressCorpus(events: 120_000, accounts: 3_000)
        let catalog = MeterCatalog(meters: UsageWorkload.meters)
        let directory = try AccountDirectory(accounts: [])
        let letters = CountingDeadLetters()
        var logger = Logger(label: "stress")
        logger.logLevel = .critical
        // Dedup on, and each partition's boundary written by the producer thread before its first
        // message, as the consumer thread does on assignment: ThreadSanitizer checks that hand-over.
        let boundaries = PartitionBoundaries()
        // The accounts are replaced while the shards run (same contents: the recount holds), as
        // `serve` does after an import; ThreadSanitizer checks the hand-over of the new directory.
        let accounts = AccountBook(directory)
        let shards = (0..<2).map {
            ShardWorker<StressInput>(index: $0, catalog: catalog, accounts: accounts, deadLetters: letters,
                                     ringCapacity: 512, dedup: DedupFilter(window: .seconds(3600), memoryLimitBytes: 1 << 26),
                                     boundaries: boundaries, logger: logger)
        }
        for shard in shards { shard.start() }

        // The producer: partitions by account, shards by partition, like the router. Every
        // 10,000 messages it waits for one more flush, so flushes always interleave with work.
        let flushCount = SharedCounter()
        let producer = Thread {
            for partition in Set(corpus.messages.map(\.partition)) { try! boundaries.assign(partition, meterFrom: 0) }
            var staged: [[StressInput]] = [[], []]
            for (sequence, message) in corpus.messages.enumerated() {
                staged[Int(message.partition) % 2].append(message)
                if staged[0].count + staged[1].count >= 256 { Self.push(&staged, into: shards) }
                if sequence % 10_000 == 9_999 {
                    while flushCount.value < sequence / 10_000 { sched_yield() }
                    if sequence % 30_000 == 29_999 { accounts.replace(with: try! AccountDirectory(accounts: [])) }
                }
            }
            Self.push(&staged, into: shards)
        }
        producer.start()

        // The flusher: takes deltas as fast as it can while the shards run.
        var merged = MergedTotals()
        var flushes = 0
        while shards.reduce(0, { $0 + $1.processed.load(ordering: .acquiring) }) < corpus.messages.count || flushes == 0 {
            for shard in shards { merged.add(try await Self.take(from: shard)) }
            flushes += 1
            flushCount.add(1)
        }
        for shard in shards { merged.add(try await Self.take(from: shard)) }
        for shard in shards { shard.stop() }

        #expect(flushes >= corpus.messages.count / 10_000, "the flusher must interleave with the shards")
        #expect(corpus.released.value == corpus.messages.count)
        #expect(letters.count.load(ordering: .relaxed) == corpus.malformed)
        #expect(merged.rejected == corpus.malformed)
        #expect(merged.nextOffsets == corpus.expectedNextOffsets)
        let reference = corpus.singleThreadedRecount(catalog: catalog, directory: directory)
        #expect(merged.totals.count == reference.totals.count)
        #expect(merged.totals == reference.totals)
        #expect(merged.uniques == reference.uniques)
    }

    static func push(_ staged: inout [[StressInput]], into shards: [ShardWorker<StressInput>]) {
        for index in staged.indices {
            staged[index].withUnsafeBufferPointer { buffer in
                var pushed = 0
                while pushed < buffer.count {
                    let count = shards[index].ring.push(contentsOf: UnsafeBufferPointer(rebasing: buffer[pushed...]))
                    pushed += count
                    if count == 0 { sched_yield() }
                }
            }
            staged[index].removeAll(keepingCapacity: true)
        }
    }

    static func take(from shard: ShardWorker<StressInput>) async throws -> ShardDelta {
        let ticket = shard.handoff.request()
        while true {
            if let delta = shard.handoff.take(ticket) { return delta }
            try await Task.sleep(for: .microseconds(100))
        }
    }
}

/// A message of the stress corpus: a slice of one shared, immutable buffer.
struct StressInput: ShardInput, @unchecked Sendable {
    // @unchecked Sendable is safe: `bytes` points into StressCorpus's buffer, written once
    // before any thread starts and never freed while the test runs.
    let bytes: UnsafeRawBufferPointer
    let partition: Int32
    let offset: Int64
    let released: SharedCounter

    var payload: UnsafeRawBufferPointer { bytes }
    var key: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: nil, count: 0) }
    var isError: Bool { false }
    var errorDescription: String? { nil }
    var appendMilliseconds: Int64? { 1_700_000_000_000 }
    func release() { released.add(1) }
}

/// An atomic counter with a stable address, shared by many small values.
final class SharedCounter: Sendable {
    private let atomic = Atomic<Int>(0)
    func add(_ amount: Int) { atomic.add(amount, ordering: .relaxed) }
    var value: Int { atomic.load(ordering: .acquiring) }
}

final class CountingDeadLetters: DeadLetterQueue {
    let count = Atomic<Int>(0)
    func send(payload: UnsafeRawBufferPointer, key: UnsafeRawBufferPointer, partition: Int32, offset: Int64,
              reason: RejectionReason) {
        count.add(1, ordering: .relaxed)
    }
}

/// The generated events (every 1,000th replaced by malformed JSON), in partitions by account.
final class StressCorpus: @unchecked Sendable {
    // @unchecked Sendable is safe: everything is written in init and only read afterwards.
    let storage: UnsafeMutableRawBufferPointer
    let messages: [StressInput]
    let malformed: Int
    let expectedNextOffsets: [Int32: Int64]
    let released = SharedCounter()

    init(events: Int, accounts: Int) {
        var bytes: [UInt8] = []
        var ranges: [(Range<Int>, Int32)] = []
        var bad = 0
        for event in UsageWorkload(accounts: accounts, period: BillingPeriod("2026-10")!).stream(count: events, seed: 9) {
            let start = bytes.count
            if event.sequence % 1000 == 999 {
                bytes += Array("{\"not\": valid".utf8)
                bad += 1
            } else {
                event.render(into: &bytes)
            }
            ranges.append((start..<bytes.count, Int32(event.account % 8)))
        }
        storage = .allocate(byteCount: bytes.count, alignment: 16)
        storage.copyBytes(from: bytes)
        var offsets: [Int32: Int64] = [:]
        var messages: [StressInput] = []
        let released = self.released
        for (range, partition) in ranges {
            let offset = offsets[partition, default: 0]
            offsets[partition] = offset + 1
            messages.append(StressInput(bytes: UnsafeRawBufferPointer(rebasing: storage[range]),
                                        partition: partition, offset: offset, released: released))
        }
        self.messages = messages
        malformed = bad
        expectedNextOffsets = offsets
    }

    deinit { storage.deallocate() }

    func singleThreadedRecount(catalog: MeterCatalog, directory: AccountDirectory) -> MergedTotals {
        MergedTotals.recount(messages, catalog: catalog, directory: directory)
    }
}

/// Deltas merged the way Postgres merges them, from their COPY text.
struct MergedTotals {
    /// The messages that decode, metered one by one on this thread.
    static func recount(_ messages: [StressInput], catalog: MeterCatalog, directory: AccountDirectory) -> MergedTotals {
        let decoder = EventDecoder(catalog: catalog)
        let aggregator = ShardAggregator(catalog: catalog, directory: directory)
        for message in messages where decoder.decode(message.payload) == nil {
            aggregator.aggregate(decoder, partition: message.partition, offset: message.offset)
        }
        var merged = MergedTotals()
        merged.add(aggregator.drain())
        return merged
    }

    struct Figures: Equatable {
        var events: Int64 = 0
        var sum: ExactDecimal = .zero
        var max: ExactDecimal?
    }

    var totals: [String: Figures] = [:]
    var uniques: Set<String> = []
    var nextOffsets: [Int32: Int64] = [:]
    var rejected = 0

    mutating func add(_ delta: ShardDelta) {
        for line in delta.totalsInAllColumns() {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            let key = fields[0...3].joined(separator: "|")
            var figures = totals[key, default: Figures()]
            figures.events += Int64(fields[4])!
            figures.sum = ExactDecimal(raw: figures.sum.raw + ExactDecimal(fields[5])!.raw)
            if fields[7] != "\\N" {
                let value = ExactDecimal(fields[7])!
                figures.max = Swift.max(figures.max ?? value, value)
            }
            totals[key] = figures
        }
        for line in String(decoding: delta.uniqueValues.bytes, as: UTF8.self).split(separator: "\n") {
            uniques.insert(String(line))
        }
        nextOffsets.merge(delta.nextOffsets) { Swift.max($0, $1) }
        rejected += delta.rejections.values.reduce(0, +)
    }
}
