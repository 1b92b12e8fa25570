import Testing
@testable import MeteringCore

/// The flusher adds deltas, so the split of events into batches must not change any result:
/// merging partial accumulators must be associative and commutative for every aggregation.
@Suite struct AccumulatorMergeTests {
    struct Sample {
        var quantity: ExactDecimal
        var time: EventTime
        var partition: Int32
        var offset: Int64
    }

    @Test(arguments: Aggregation.allCases)
    func anySplitAndOrderOfBatchesGivesTheSameAccumulator(aggregation: Aggregation) {
        var generator = SeededGenerator(seed: UInt64(aggregation.rawValue.utf8.count) * 31)
        for _ in 0..<300 {
            // (partition, offset) identifies a message, so it is unique among samples.
            let samples = (0..<Int.random(in: 1...40, using: &generator)).map { index in
                Sample(quantity: ExactDecimal(raw: Int128(Int64.random(in: -1_000_000_000_000_000...1_000_000_000_000_000, using: &generator))),
                       // few distinct times, so ties on time are common and (partition, offset) decides
                       time: EventTime(seconds: Int64.random(in: 0...3, using: &generator), nanoseconds: Int32.random(in: 0...1, using: &generator)),
                       partition: Int32.random(in: 0...2, using: &generator),
                       offset: Int64(index) * 7 % 41)
            }
            var whole = Accumulator()
            for sample in samples { whole.add(aggregation, quantity: sample.quantity, time: sample.time, partition: sample.partition, offset: sample.offset) }

            var batches: [Accumulator] = []
            var current = Accumulator()
            for sample in samples.shuffled(using: &generator) {
                current.add(aggregation, quantity: sample.quantity, time: sample.time, partition: sample.partition, offset: sample.offset)
                if Bool.random(using: &generator) { batches.append(current); current = Accumulator() }
            }
            batches.append(current)
            var merged = Accumulator()
            for batch in batches.shuffled(using: &generator) { merged.merge(batch, aggregation) }

            #expect(merged.events == whole.events)
            #expect(merged.value == whole.value, "\(aggregation)")
            if aggregation == .latest {
                #expect(merged.latestSeconds == whole.latestSeconds)
                #expect(merged.latestPartition == whole.latestPartition)
                #expect(merged.latestOffset == whole.latestOffset)
            }
        }
    }

    @Test func latestTiesGoToTheGreaterPartitionThenOffset() {
        var accumulator = Accumulator()
        let time = EventTime(seconds: 100, nanoseconds: 5)
        accumulator.add(.latest, quantity: ExactDecimal(1), time: time, partition: 1, offset: 50)
        accumulator.add(.latest, quantity: ExactDecimal(2), time: time, partition: 0, offset: 90)
        #expect(accumulator.value == ExactDecimal(1).raw)
        accumulator.add(.latest, quantity: ExactDecimal(3), time: time, partition: 1, offset: 51)
        #expect(accumulator.value == ExactDecimal(3).raw)
        accumulator.add(.latest, quantity: ExactDecimal(4), time: EventTime(seconds: 99, nanoseconds: 0), partition: 9, offset: 9)
        #expect(accumulator.value == ExactDecimal(3).raw)
    }
}
