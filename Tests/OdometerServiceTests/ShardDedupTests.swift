import Foundation
import Logging
import MeteringCore
import MeteringWorkload
@testable import OdometerService
import Synchronization
import Testing

/// A shard with dedup on meters an accepted event one message late (its dedup slot loads while
/// the next message decodes). Copies right behind their original, conflicting copies, malformed
/// messages between them and batches cut anywhere must not change what is metered, dropped or
/// dead-lettered, nor the order of the dead letters.
@Suite struct ShardDedupTests {
    @Test func copiesConflictsAndMalformedMessagesInAnyBatchingMeterEachEventOnce() async throws {
        let corpus = DedupCorpus(events: 4_000, partitions: 4)
        let catalog = MeterCatalog(meters: UsageWorkload.meters)
        let directory = try AccountDirectory(accounts: [])
        let letters = RecordingDeadLetters()
        var logger = Logger(label: "shard-dedup")
        logger.logLevel = .critical
        let boundaries = PartitionBoundaries()
        for partition in 0..<Int32(corpus.partitions) { try boundaries.assign(partition, meterFrom: 0) }
        let shard = ShardWorker<StressInput>(
            index: 0, catalog: catalog, accounts: AccountBook(directory), deadLetters: letters, ringCapacity: 64,
            dedup: DedupFilter(window: .seconds(3600), memoryLimitBytes: 1 << 24), boundaries: boundaries, logger: logger)
        shard.start()
        // Pushed in runs of 1 to 37 messages, so batches end between any two messages.
        var staged: [[StressInput]] = [[]]
        var run = 1
        for message in corpus.messages {
            staged[0].append(message)
            if staged[0].count == run {
                ShardStressTests.push(&staged, into: [shard])
                run = run % 37 + 1
            }
        }
        ShardStressTests.push(&staged, into: [shard])
        var merged = MergedTotals()
        var duplicates = 0
        while shard.processed.load(ordering: .acquiring) < corpus.messages.count {
            let delta = try await ShardStressTests.take(from: shard)
            duplicates += delta.duplicates
            merged.add(delta)
        }
        let last = try await ShardStressTests.take(from: shard)
        duplicates += last.duplicates
        merged.add(last)
        shard.stop()

        #expect(corpus.released.value == corpus.messages.count)
        #expect(duplicates == corpus.copies)
        let sent = letters.sent
        #expect(sent.count == corpus.expectedDeadLetters.count)
        if let (index, (letter, expected)) = zip(sent, corpus.expectedDeadLetters).enumerated().first(where: { $1.0 != $1.1 }) {
            Issue.record("dead letter \(index) of \(sent.count) was \(letter), expected \(expected) (order or reason)")
        }
        #expect(merged.nextOffsets == corpus.expectedNextOffsets)
        // The originals only, metered one by one without dedup (an original that did not decode
        // would be a dead letter the corpus does not expect, above).
        let reference = MergedTotals.recount(corpus.originals, catalog: catalog, directory: directory)
        #expect(merged.totals.count == reference.totals.count)
        #expect(merged.totals == reference.totals)
        #expect(merged.uniques == reference.uniques)
    }
}

/// Events in partitions by account; after some, an identical copy (right behind it or a few
/// messages later), a conflicting copy (same source and id, one byte more of whitespace; right
/// behind it and followed by a malformed message, or later), or a malformed message.
final class DedupCorpus: @unchecked Sendable {
    // @unchecked Sendable is safe: everything is written in init and only read afterwards.
    let partitions: Int
    let storage: UnsafeMutableRawBufferPointer
    let messages: [StressInput]
    let originals: [StressInput]
    let copies: Int
    let expectedDeadLetters: [RecordingDeadLetters.Letter]
    let expectedNextOffsets: [Int32: Int64]
    let released = SharedCounter()

    init(events: Int, partitions: Int) {
        self.partitions = partitions
        enum Kind { case original, copy, conflict, malformed }
        var bytes: [UInt8] = []
        var pieces: [(range: Range<Int>, partition: Int32, kind: Kind)] = []
        var later: [Int32: [(range: Range<Int>, kind: Kind)]] = [:]
        for event in UsageWorkload(accounts: 300, period: BillingPeriod("2026-10")!).stream(count: events, seed: 5) {
            let partition = Int32(event.account % partitions)
            for waiting in later[partition, default: []] { pieces.append((waiting.range, partition, waiting.kind)) }
            later[partition] = nil
            let start = bytes.count
            event.render(into: &bytes)
            let original = start..<bytes.count
            pieces.append((original, partition, .original))
            switch event.sequence % 10 {
            case 1: pieces.append((original, partition, .copy))
            case 4: later[partition, default: []].append((original, .copy))
            case 6:
                let conflictStart = bytes.count
                bytes += Array(bytes[original].dropLast()) + Array(" }".utf8)
                if event.sequence % 20 == 6 {
                    // Found while the malformed message behind it decodes: still dead-lettered first.
                    pieces.append((conflictStart..<bytes.count, partition, .conflict))
                    pieces.append((Self.malformed(into: &bytes), partition, .malformed))
                } else {
                    later[partition, default: []].append((conflictStart..<bytes.count, .conflict))
                }
            case 8: pieces.append((Self.malformed(into: &bytes), partition, .malformed))
            default: break
            }
        }
        for (partition, waiting) in later { for piece in waiting { pieces.append((piece.range, partition, piece.kind)) } }
        storage = .allocate(byteCount: bytes.count, alignment: 16)
        storage.copyBytes(from: bytes)
        var offsets: [Int32: Int64] = [:]
        var messages: [StressInput] = []
        var originals: [StressInput] = []
        var letters: [RecordingDeadLetters.Letter] = []
        var copies = 0
        let released = self.released
        for piece in pieces {
            let offset = offsets[piece.partition, default: 0]
            offsets[piece.partition] = offset + 1
            let message = StressInput(bytes: UnsafeRawBufferPointer(rebasing: storage[piece.range]),
                                      partition: piece.partition, offset: offset, released: released)
            messages.append(message)
            switch piece.kind {
            case .original: originals.append(message)
            case .copy: copies += 1
            case .conflict: letters.append(.init(partition: piece.partition, offset: offset, reason: .conflictingDuplicate))
            case .malformed: letters.append(.init(partition: piece.partition, offset: offset, reason: .invalidJSON))
            }
        }
        self.messages = messages
        self.originals = originals
        self.copies = copies
        expectedDeadLetters = letters
        expectedNextOffsets = offsets
    }

    deinit { storage.deallocate() }

    /// Appends a truncated event; returns where it is.
    private static func malformed(into bytes: inout [UInt8]) -> Range<Int> {
        let start = bytes.count
        bytes += Array("{\"specversion\": ".utf8)
        return start..<bytes.count
    }
}

/// Dead letters in the order they were sent.
final class RecordingDeadLetters: DeadLetterQueue {
    struct Letter: Equatable, Sendable {
        var partition: Int32
        var offset: Int64
        var reason: RejectionReason
    }

    private let letters = Mutex<[Letter]>([])
    var sent: [Letter] { letters.withLock { $0 } }

    func send(payload: UnsafeRawBufferPointer, key: UnsafeRawBufferPointer, partition: Int32, offset: Int64,
              reason: RejectionReason) {
        letters.withLock { $0.append(Letter(partition: partition, offset: offset, reason: reason)) }
    }
}
