import Testing
@testable import MeteringCore

/// The table defers updates to prefetch their cache lines; deferring must not change a total.
@Suite struct AggregateTableTests {
    @Test func anActiveKeyCostsAtMost64Bytes() {
        #expect(AggregateTable.bytesPerKey == 56)
    }

    @Test func keysSurviveGrowthAndRemoveAllKeepsNothing() {
        var table = AggregateTable(capacity: 4)
        for subject in 1...10_000 {
            let key = AggregateKey(subject: UInt32(subject), meter: subject % 3, period: 24_300, dimensions: 0)
            table.add(key, .sum, quantity: ExactDecimal(Int64(subject)), time: EventTime(seconds: 0), partition: 0, offset: 0)
            table.add(key, .sum, quantity: ExactDecimal(1), time: EventTime(seconds: 0), partition: 0, offset: 1)
        }
        #expect(table.count == 10_000)
        var total: Int128 = 0
        var events: Int64 = 0
        table.forEach { _, accumulator in
            total += accumulator.value
            events += accumulator.events
        }
        #expect(total == ExactDecimal(Int64(10_000 * 10_001 / 2 + 10_000)).raw)
        #expect(events == 20_000)
        table.removeAll()
        #expect(table.count == 0)
        table.forEach { _, _ in Issue.record("an entry survived removeAll") }
    }

    @Test func queuedUpdatesGiveTheSameTotalsAsImmediateOnes() {
        var generator = SeededGenerator(seed: 11)
        var immediate = AggregateTable(capacity: 4)   // small, so both tables grow while updates are queued
        var queued = AggregateTable(capacity: 4)
        var recount: [AggregateKey: Accumulator] = [:]
        var aggregations: [AggregateKey: Aggregation] = [:]
        for offset in 0..<20_000 {
            let meter = Int.random(in: 0..<Aggregation.allCases.count, using: &generator)
            let aggregation = Aggregation.allCases[meter]
            let key = AggregateKey(subject: UInt32.random(in: 1...300, using: &generator), meter: meter, period: 600,
                                   dimensions: UInt32.random(in: 0...2, using: &generator))
            let quantity = ExactDecimal(raw: Int128(Int64.random(in: -1_000_000...1_000_000, using: &generator)))
            // Few distinct times, so LATEST ties are decided by (partition, offset).
            let time = EventTime(seconds: Int64.random(in: 0...5, using: &generator), nanoseconds: 0)
            let partition = Int32.random(in: 0...3, using: &generator)
            immediate.add(key, aggregation, quantity: quantity, time: time, partition: partition, offset: Int64(offset))
            queued.enqueue(key, aggregation, quantity: quantity, time: time, partition: partition, offset: Int64(offset))
            recount[key, default: Accumulator()].add(aggregation, quantity: quantity, time: time, partition: partition,
                                                     offset: Int64(offset))
            aggregations[key] = aggregation
            if offset % 5_000 == 2_499 {   // settle part-way too, as a shard does at the end of each batch
                queued.settle()
                #expect(queued.count == recount.count)
            }
        }
        let settledBefore = queued.isSettled
        #expect(!settledBefore, "the last updates wait in the queue")
        queued.settle()
        let settledAfter = queued.isSettled
        #expect(settledAfter)
        #expect(Self.contents(of: queued) == recount)
        #expect(Self.contents(of: immediate) == recount)
        #expect(aggregations.values.contains(.latest))
    }

    @Test func settlingAnEmptyOrSettledTableChangesNothing() {
        var table = AggregateTable(capacity: 4)
        table.settle()
        #expect(table.count == 0)
        let key = AggregateKey(subject: 1, meter: 0, period: 1, dimensions: 0)
        table.enqueue(key, .sum, quantity: ExactDecimal(5), time: EventTime(seconds: 1, nanoseconds: 0), partition: 0, offset: 0)
        table.settle()
        table.settle()
        #expect(Self.contents(of: table)[key]?.value == ExactDecimal(5).raw)
        #expect(Self.contents(of: table)[key]?.events == 1)
    }

    private static func contents(of table: AggregateTable) -> [AggregateKey: Accumulator] {
        var contents: [AggregateKey: Accumulator] = [:]
        table.forEach { key, accumulator in contents[key] = accumulator }
        return contents
    }
}
