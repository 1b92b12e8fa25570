import MeteringCore
import PostgresNIO
import Testing
@testable import PostgresStore

extension RealPostgres {
    /// The sparse history a window rebuild starts from: at most one checkpoint per generation,
    /// pruned past the retention (keeping the newest one before it), dead-lettered offsets pruned
    /// with them, and a claim that says where to re-read from and what to skip.
    @Suite struct Checkpoints {
        @Test func checkpointsAreSparsePrunedAndTellAClaimWhereTheWindowStarts() async throws {
            try await withMigratedDatabase { client in
                let store = PartitionOffsetStore(client: client, logger: testLogger)
                _ = try await store.claim(group: "g", topic: "t", partitions: [0], owner: "a")
                let writer = TotalsFlushWriter(client: client, logger: testLogger)
                let cadence = CheckpointCadence(everyMilliseconds: 1000, retainMilliseconds: 3000)
                // Flushes every half second of append time, offsets 10 apart; offsets 5 and 155 were dead-lettered.
                for step in 1...20 {
                    var batch = FlushBatch(group: "g", topic: "t", offsets: [PartitionOffset(
                        partition: 0, nextOffset: Int64(step * 10), epoch: 1, coveredAppendMilliseconds: Int64(step * 500))])
                    batch.checkpoints = cadence
                    if step == 1 { batch.deadLettered = [0: [5]] }
                    if step == 16 { batch.deadLettered = [0: [155]] }
                    try await writer.flush(batch)
                }
                var checkpoints: [Int64] = []
                for try await covered in try await client.query(
                    "SELECT covered_append_ms FROM partition_checkpoints ORDER BY next_offset", logger: testLogger)
                    .decode(Int64.self) { checkpoints.append(covered) }
                // One per second of append time (not one per flush). When the last one (9,500) was added,
                // those older than 9,500 − 3,000 went, but the newest of them (5,500), where a rebuild may start.
                #expect(checkpoints == [5500, 6500, 7500, 8500, 9500])
                var letters: [Int64] = []
                for try await offset in try await client.query(
                    #"SELECT "offset" FROM dead_lettered_offsets ORDER BY 1"#, logger: testLogger).decode(Int64.self) {
                    letters.append(offset)
                }
                // Offset 5 lies before the oldest checkpoint (next offset 110): no rebuild reads it again.
                #expect(letters == [155])

                let claim = try #require(try await store.claim(group: "g", topic: "t", partitions: [0], owner: "b",
                                                               dedupWindowStart: 9000)[0])
                #expect(claim.nextOffset == 200)
                #expect(claim.dedupFrom == 170)   // the checkpoint covering 8,500 ms, the newest before 9,000
                #expect(claim.deadLettered == [155])
                // All stored is older than the window: nothing to read again.
                let later = try #require(try await store.claim(group: "g", topic: "t", partitions: [0], owner: "c",
                                                               dedupWindowStart: 20_000)[0])
                #expect(later.dedupFrom == 200)
            }
        }
    }
}
