import MeteringCore
import PostgresNIO
import Testing
@testable import PostgresStore

extension RealPostgres {
    @Suite struct FlushFencing {
        @Test func aFlushUnderAnOldEpochIsFencedAndWritesNothing() async throws {
            try await withMigratedDatabase { client in
                let offsets = PartitionOffsetStore(client: client, logger: testLogger)
                let writer = TotalsFlushWriter(client: client, logger: testLogger)
                let first = try await offsets.claim(group: "g", topic: "usage", partitions: [0], owner: "old")
                #expect(first == [0: StoredClaim(nextOffset: 0, epoch: 1)])
                try await writer.flush(FlushBatch(group: "g", topic: "usage",
                                                  offsets: [PartitionOffset(partition: 0, nextOffset: 10, epoch: 1)],
                                                  totals: callsRow(account: "a", events: 10)))

                let second = try await offsets.claim(group: "g", topic: "usage", partitions: [0], owner: "new")
                #expect(second == [0: StoredClaim(nextOffset: 10, epoch: 2)])

                var unique = UniqueValueCopyRows()
                unique.append(account: "a", meter: "calls", period: "2026-11", dimensions: "{}", value: "v")
                let stale = FlushBatch(group: "g", topic: "usage",
                                       offsets: [PartitionOffset(partition: 0, nextOffset: 20, epoch: 1)],
                                       totals: callsRow(account: "a", events: 10), uniqueValues: unique)
                await #expect(throws: FlushError.fenced(partitions: [0])) { try await writer.flush(stale) }

                let totals = try await UsageQueries(client: client, logger: testLogger).totals()
                #expect(totals.map(\.events) == [10])
                #expect(totals.map(\.sum) == ["10"])
                #expect(totals.map(\.uniqueCount) == [0])
                #expect(try await offsets.read(group: "g", topic: "usage") == [0: PartitionClaim(nextOffset: 10, epoch: 2)])
            }
        }

        @Test func fencingNamesEveryLostPartitionAndKeepsTheOthersUntouched() async throws {
            try await withMigratedDatabase { client in
                let offsets = PartitionOffsetStore(client: client, logger: testLogger)
                _ = try await offsets.claim(group: "g", topic: "usage", partitions: [0, 1, 2], owner: "a")
                _ = try await offsets.claim(group: "g", topic: "usage", partitions: [2, 0], owner: "b")
                let batch = FlushBatch(group: "g", topic: "usage", offsets: [
                    PartitionOffset(partition: 2, nextOffset: 5, epoch: 1),
                    PartitionOffset(partition: 1, nextOffset: 5, epoch: 1),
                    PartitionOffset(partition: 0, nextOffset: 5, epoch: 1),
                ], totals: callsRow(account: "a", events: 1))
                await #expect(throws: FlushError.fenced(partitions: [0, 2])) {
                    try await TotalsFlushWriter(client: client, logger: testLogger).flush(batch)
                }
                #expect(try await offsets.read(group: "g", topic: "usage") == [
                    0: PartitionClaim(nextOffset: 0, epoch: 2),
                    1: PartitionClaim(nextOffset: 0, epoch: 1),
                    2: PartitionClaim(nextOffset: 0, epoch: 2),
                ])
                #expect(try await UsageQueries(client: client, logger: testLogger).eventsTotal() == 0)
            }
        }

        @Test func aFlushSetsNextOffsetsAndTheNextClaimResumesThere() async throws {
            try await withMigratedDatabase { client in
                let offsets = PartitionOffsetStore(client: client, logger: testLogger)
                let claims = try await offsets.claim(group: "g", topic: "usage", partitions: [0, 1, 2, 1], owner: "a")
                #expect(claims.count == 3)
                try await TotalsFlushWriter(client: client, logger: testLogger).flush(FlushBatch(
                    group: "g", topic: "usage",
                    offsets: [PartitionOffset(partition: 0, nextOffset: 5, epoch: 1),
                              PartitionOffset(partition: 1, nextOffset: 7_000_000_000, epoch: 1)]))
                #expect(try await offsets.read(group: "g", topic: "usage") == [
                    0: PartitionClaim(nextOffset: 5, epoch: 1),
                    1: PartitionClaim(nextOffset: 7_000_000_000, epoch: 1),
                    2: PartitionClaim(nextOffset: 0, epoch: 1),
                ])
                #expect(try await offsets.claim(group: "g", topic: "usage", partitions: [0, 1], owner: "b") == [
                    0: StoredClaim(nextOffset: 5, epoch: 2),
                    1: StoredClaim(nextOffset: 7_000_000_000, epoch: 2),
                ])
                #expect(try await offsets.read(group: "g", topic: "other").isEmpty)
                #expect(try await UsageQueries(client: client, logger: testLogger).offsets(group: "g", topic: "usage").count == 3)
            }
        }

        @Test func aFlushForUnclaimedOrRepeatedPartitionsIsRefused() async throws {
            try await withMigratedDatabase { client in
                let writer = TotalsFlushWriter(client: client, logger: testLogger)
                _ = try await PartitionOffsetStore(client: client, logger: testLogger)
                    .claim(group: "g", topic: "usage", partitions: [0], owner: "a")
                await #expect(throws: FlushError.unclaimed(partitions: [4])) {
                    try await writer.flush(FlushBatch(group: "g", topic: "usage", offsets: [
                        PartitionOffset(partition: 0, nextOffset: 1, epoch: 1),
                        PartitionOffset(partition: 4, nextOffset: 1, epoch: 1),
                    ], totals: callsRow(account: "a", events: 1)))
                }
                await #expect(throws: FlushError.duplicatePartition(0)) {
                    try await writer.flush(FlushBatch(group: "g", topic: "usage", offsets: [
                        PartitionOffset(partition: 0, nextOffset: 1, epoch: 1),
                        PartitionOffset(partition: 0, nextOffset: 2, epoch: 1),
                    ]))
                }
                #expect(try await UsageQueries(client: client, logger: testLogger).eventsTotal() == 0)
            }
        }

        /// Postgres bounds neither an idle session nor a statement while a COPY waits for its client's
        /// data, so a flush stopped there (its process SIGSTOPped) must hold no offset row: the new
        /// owner's claim goes through at once, and the woken flush is fenced.
        @Test func aFlushStoppedInTheMiddleOfItsCopyKeepsNoNewOwnerWaiting() async throws {
            try await withMigratedDatabase { client in
                let offsets = PartitionOffsetStore(client: client, logger: testLogger)
                let writer = TotalsFlushWriter(client: client, logger: testLogger)
                _ = try await offsets.claim(group: "g", topic: "usage", partitions: [0, 1], owner: "zombie")
                let (copying, copyStarted) = AsyncStream.makeStream(of: Void.self)
                let (wake, wakeUp) = AsyncStream.makeStream(of: Void.self)
                let zombie = Task {
                    try await writer.flush(FlushBatch(group: "g", topic: "usage", offsets: [
                        PartitionOffset(partition: 0, nextOffset: 7, epoch: 1),
                        PartitionOffset(partition: 1, nextOffset: 9, epoch: 1),
                    ], totals: callsRow(account: "a", events: 5)), hooks: .whileCopying {
                        copyStarted.finish()
                        for await _ in wake {}
                    })
                }
                for await _ in copying {}
                // What a claim does to known partitions, bounded so that a lock held by the stopped
                // flush fails this test instead of hanging it.
                do {
                    try await client.inTransaction("claim as the new owner", logger: testLogger) { connection in
                        try await connection.query("SET LOCAL lock_timeout = '5s'", logger: testLogger)
                        try await connection.query("""
                            UPDATE consumer_offsets SET epoch = epoch + 1, owner = 'new' WHERE group_id = 'g' AND topic = 'usage'
                            """, logger: testLogger)
                    }
                } catch {
                    wakeUp.finish()   // the zombie must end before its database is dropped
                    _ = try? await zombie.value
                    throw error
                }
                wakeUp.finish()
                await #expect(throws: FlushError.fenced(partitions: [0, 1])) { try await zombie.value }
                #expect(try await offsets.read(group: "g", topic: "usage") == [
                    0: PartitionClaim(nextOffset: 0, epoch: 2), 1: PartitionClaim(nextOffset: 0, epoch: 2),
                ])
                #expect(try await UsageQueries(client: client, logger: testLogger).eventsTotal() == 0)
            }
        }

        @Test func aFencedFlushLeavesTheConnectionUsableForTheNextFlush() async throws {
            try await withMigratedDatabase { client in
                let offsets = PartitionOffsetStore(client: client, logger: testLogger)
                let writer = TotalsFlushWriter(client: client, logger: testLogger)
                _ = try await offsets.claim(group: "g", topic: "usage", partitions: [0], owner: "a")
                _ = try await offsets.claim(group: "g", topic: "usage", partitions: [0], owner: "b")
                for _ in 0..<3 {
                    await #expect(throws: FlushError.self) {
                        try await writer.flush(FlushBatch(group: "g", topic: "usage",
                            offsets: [PartitionOffset(partition: 0, nextOffset: 1, epoch: 1)],
                            totals: callsRow(account: "a", events: 1)))
                    }
                }
                try await writer.flush(FlushBatch(group: "g", topic: "usage",
                    offsets: [PartitionOffset(partition: 0, nextOffset: 3, epoch: 2)], totals: callsRow(account: "a", events: 3)))
                #expect(try await UsageQueries(client: client, logger: testLogger).eventsTotal() == 3)
            }
        }
    }
}
