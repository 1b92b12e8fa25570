import Testing
@testable import MeteringCore

@Suite struct PartitionOwnershipTests {
    @Test func assignedPartitionsStartAtTheirClaimedOffsets() {
        var ownership = PartitionOwnership()
        let starts = ownership.assigned([0: .init(nextOffset: 120, epoch: 3), 1: .init(nextOffset: 0, epoch: 1)])
        #expect(starts == [0: 120, 1: 0])
        #expect(ownership.ownedPartitions == [0, 1])
    }

    @Test func progressIsStampedWithTheEpochHeld() throws {
        var ownership = PartitionOwnership()
        _ = ownership.assigned([4: .init(nextOffset: 0, epoch: 7), 2: .init(nextOffset: 5, epoch: 2)])
        let fenced = try ownership.fence([4: 99, 2: 6])
        #expect(fenced == [.init(partition: 2, nextOffset: 6, epoch: 2), .init(partition: 4, nextOffset: 99, epoch: 7)])
    }

    @Test func progressOfARevokedPartitionIsRefused() {
        var ownership = PartitionOwnership()
        _ = ownership.assigned([1: .init(nextOffset: 0, epoch: 1)])
        ownership.revoked([1])
        #expect(throws: OwnershipError.progressWithoutOwnership(partition: 1)) { try ownership.fence([1: 10]) }
    }
}

@Suite struct FlushPolicyTests {
    let start = ContinuousClock.Instant.now

    @Test func flushesWhenTheIntervalHasPassedAndSomethingIsPending() {
        var policy = FlushPolicy(interval: .milliseconds(200), maximumKeys: 1000, now: start)
        #expect(policy.shouldFlush(now: start + .milliseconds(199), pendingKeys: 10, pendingMessages: 10) == false)
        #expect(policy.shouldFlush(now: start + .milliseconds(200), pendingKeys: 10, pendingMessages: 10) == true)
        #expect(policy.shouldFlush(now: start + .seconds(5), pendingKeys: 0, pendingMessages: 0) == false)
    }

    @Test func rejectedMessagesAloneStillGetTheirOffsetsFlushed() {
        var policy = FlushPolicy(interval: .milliseconds(200), maximumKeys: 1000, now: start)
        #expect(policy.shouldFlush(now: start + .milliseconds(250), pendingKeys: 0, pendingMessages: 3) == true)
    }

    @Test func aSlowFlushIsFollowedByTwiceAsLongAPauseWhileMessagesArrive() {
        var policy = FlushPolicy(interval: .milliseconds(200), maximumKeys: 1000, now: start)
        policy.flushed(at: start, took: .seconds(2))
        #expect(policy.shouldFlush(now: start + .seconds(2), pendingKeys: 5000, pendingMessages: 5000) == false)
        #expect(policy.shouldFlush(now: start + .milliseconds(3990), pendingKeys: 6000, pendingMessages: 6000) == false)
        #expect(policy.shouldFlush(now: start + .seconds(4), pendingKeys: 7000, pendingMessages: 7000) == true)
    }

    @Test func aQuickFlushLeavesTheIntervalInChargeFromItsStart() {
        var policy = FlushPolicy(interval: .milliseconds(200), maximumKeys: 100_000, now: start)
        // A flush from start - 60 ms to start: the next is due 200 ms after the first began.
        policy.flushed(at: start, took: .milliseconds(60))
        #expect(policy.nextCheck(now: start + .milliseconds(130), tick: .milliseconds(20)) == .milliseconds(10))
        #expect(policy.shouldFlush(now: start + .milliseconds(139), pendingKeys: 10, pendingMessages: 10) == false)
        #expect(policy.shouldFlush(now: start + .milliseconds(140), pendingKeys: 20, pendingMessages: 20) == true)
    }

    @Test func whatArrivedDuringALongFlushIsCommittedOnceTheInputIsIdle() {
        // The end of a burst: a flush took 400 ms, a few messages came in meanwhile, then none.
        var policy = FlushPolicy(interval: .milliseconds(200), maximumKeys: 100_000, now: start)
        policy.flushed(at: start, took: .milliseconds(400))
        #expect(policy.shouldFlush(now: start + .milliseconds(1), pendingKeys: 40, pendingMessages: 50) == false)
        // One check later nothing new arrived: the interval, counted from the flush's start, is long past.
        #expect(policy.shouldFlush(now: start + .milliseconds(21), pendingKeys: 40, pendingMessages: 50) == true)
        // While messages still arrive, the pause after the slow flush (twice 400 ms) holds.
        policy.flushed(at: start, took: .milliseconds(400))
        #expect(policy.shouldFlush(now: start + .milliseconds(1), pendingKeys: 40, pendingMessages: 50) == false)
        #expect(policy.shouldFlush(now: start + .milliseconds(21), pendingKeys: 60, pendingMessages: 70) == false)
        #expect(policy.shouldFlush(now: start + .milliseconds(799), pendingKeys: 80, pendingMessages: 90) == false)
        #expect(policy.shouldFlush(now: start + .milliseconds(800), pendingKeys: 90, pendingMessages: 95) == true)
    }

    @Test func nothingArrivingWhileAFlushWroteMeansTheInputIsIdleAtOnce() {
        // A 400 ms flush whose write began with 50 messages pending in the shards; right after
        // its commit the count is still 50: nothing came while Postgres wrote, so they go now.
        var policy = FlushPolicy(interval: .milliseconds(200), maximumKeys: 100_000, now: start)
        policy.flushed(at: start, took: .milliseconds(400), messagesWhenWriting: 50)
        #expect(policy.shouldFlush(now: start, pendingKeys: 40, pendingMessages: 50) == true)
        // Messages that kept arriving during the write keep the pause after the slow flush.
        policy.flushed(at: start, took: .milliseconds(400), messagesWhenWriting: 50)
        #expect(policy.shouldFlush(now: start, pendingKeys: 60, pendingMessages: 70) == false)
        // After a quick flush the interval still rules, idle or not.
        policy.flushed(at: start, took: .milliseconds(30), messagesWhenWriting: 5)
        #expect(policy.shouldFlush(now: start, pendingKeys: 5, pendingMessages: 5) == false)
    }

    @Test func theNextCheckIsNeverImmediate() {
        let policy = FlushPolicy(interval: .milliseconds(200), maximumKeys: 1000, now: start)
        #expect(policy.nextCheck(now: start + .milliseconds(190), tick: .milliseconds(20)) == .milliseconds(10))
        #expect(policy.nextCheck(now: start + .milliseconds(50), tick: .milliseconds(20)) == .milliseconds(20))
        // Due long ago but nothing to flush (an idle stream): wait a tick, do not spin.
        #expect(policy.nextCheck(now: start + .seconds(30), tick: .milliseconds(20)) == .milliseconds(20))
    }

    @Test func anIdleInputEndsThePauseAtOnce() {
        var policy = FlushPolicy(interval: .milliseconds(200), maximumKeys: 100_000, now: start)
        policy.flushed(at: start, took: .seconds(2))
        #expect(policy.shouldFlush(now: start + .milliseconds(300), pendingKeys: 800, pendingMessages: 900) == false)
        // Nothing arrived since: the shards are idle, so the totals go out now.
        #expect(policy.shouldFlush(now: start + .milliseconds(320), pendingKeys: 800, pendingMessages: 900) == true)
    }

    @Test func flushesEarlyWhenTooManyKeysArePending() {
        var policy = FlushPolicy(interval: .seconds(1), maximumKeys: 1000, now: start)
        #expect(policy.shouldFlush(now: start + .milliseconds(1), pendingKeys: 1000, pendingMessages: 1000) == true)
        policy.flushed(at: start + .milliseconds(1))
        #expect(policy.shouldFlush(now: start + .milliseconds(900), pendingKeys: 999, pendingMessages: 5000) == false)
        #expect(policy.nextCheck(now: start + .milliseconds(900), tick: .milliseconds(50)) == .milliseconds(50))
        #expect(policy.nextCheck(now: start + .milliseconds(990), tick: .milliseconds(50)) == .milliseconds(11))
    }
}

@Suite struct ShardFlowControlTests {
    let start = ContinuousClock.Instant.now

    @Test func aShardThatKeepsTakingIsPausedOnlyWhenItsBacklogReachesTheHighWater() {
        var flow = ShardFlowControl(shards: 2, highWater: 10_000, patience: .milliseconds(250), now: start)
        // A shard a little slower than the consumer: its backlog never empties, but its ring
        // takes some of it every time. Below the high water it keeps its partitions (a pause
        // purges librdkafka's pre-fetched messages).
        for step in 1...20 {
            #expect(flow.backlog(8000 + step, took: 500, shard: 1, now: start + .milliseconds(100 * step)) == nil)
        }
        #expect(!flow.isPaused(1))
        // At the high water it is paused at once, although its ring still takes: the consumer
        // thread must not wait for the ring (librdkafka would stop fetching every partition).
        #expect(flow.backlog(10_000, took: 500, shard: 1, now: start + .milliseconds(2100)) == .pause(shard: 1))
        #expect(flow.backlog(12_000, took: 0, shard: 1, now: start + .milliseconds(2200)) == nil)   // no second pause
        #expect(flow.isPaused(1) && !flow.isPaused(0))
        #expect(flow.backlog(0, took: 2000, shard: 1, now: start + .milliseconds(2300)) == .resume(shard: 1))
    }

    @Test func aShardThatTakesNothingForItsPatienceIsPausedOnceAndResumedWhenItDrains() {
        var flow = ShardFlowControl(shards: 2, highWater: 10_000, patience: .milliseconds(250), now: start)
        #expect(flow.backlog(300, took: 100, shard: 1, now: start + .milliseconds(10)) == nil)
        #expect(flow.backlog(300, took: 0, shard: 1, now: start + .milliseconds(200)) == nil)   // 190 ms: patient
        #expect(flow.backlog(300, took: 0, shard: 1, now: start + .milliseconds(260)) == .pause(shard: 1))
        #expect(flow.backlog(300, took: 0, shard: 1, now: start + .milliseconds(900)) == nil)   // no second pause
        #expect(flow.backlog(120, took: 180, shard: 1, now: start + .milliseconds(950)) == nil)  // still paused until drained
        #expect(flow.isPaused(1) && !flow.isPaused(0))
        #expect(flow.backlog(0, took: 120, shard: 1, now: start + .seconds(1)) == .resume(shard: 1))
        #expect(flow.backlog(0, took: 0, shard: 1, now: start + .seconds(5)) == nil)
        #expect(!flow.isPaused(1))
        // An empty backlog is progress: the wait for the next pause starts when messages wait again.
        #expect(flow.backlog(50, took: 0, shard: 1, now: start + .milliseconds(5200)) == nil)
        #expect(flow.backlog(50, took: 0, shard: 1, now: start + .milliseconds(5260)) == .pause(shard: 1))
    }

    @Test func shardsArePausedIndependently() {
        var flow = ShardFlowControl(shards: 2, highWater: 10_000, patience: .milliseconds(100), now: start)
        #expect(flow.backlog(5, took: 0, shard: 0, now: start + .milliseconds(100)) == .pause(shard: 0))
        #expect(flow.backlog(7, took: 3, shard: 1, now: start + .milliseconds(100)) == nil)
        #expect(flow.backlog(7, took: 0, shard: 1, now: start + .milliseconds(200)) == .pause(shard: 1))
        #expect(flow.backlog(0, took: 5, shard: 0, now: start + .milliseconds(300)) == .resume(shard: 0))
        #expect(!flow.isPaused(0) && flow.isPaused(1))
    }
}


@Suite struct CompactionPolicyTests {
    let start = ContinuousClock.Instant.now

    @Test func compactsALargeBacklogAtOnceAndASmallOneEveryInterval() {
        var policy = CompactionPolicy(interval: .seconds(10), batchRows: 1000, backlogLimit: 5000, now: start)
        #expect(policy.shouldCompact(now: start + .seconds(1), backlogRows: 1000))
        #expect(!policy.shouldCompact(now: start + .seconds(9), backlogRows: 999))
        #expect(policy.shouldCompact(now: start + .seconds(10), backlogRows: 1))
        #expect(!policy.shouldCompact(now: start + .seconds(60), backlogRows: 0))
        policy.compacted(at: start + .seconds(10))
        #expect(!policy.shouldCompact(now: start + .seconds(15), backlogRows: 10))
        #expect(policy.shouldCompact(now: start + .seconds(20), backlogRows: 10))
    }

    @Test func yieldsToBusyIngestUntilHalfTheLimitThenTakesItAllAtOnce() {
        let policy = CompactionPolicy(interval: .seconds(10), batchRows: 1000, backlogLimit: 6000, now: start)
        // (backlog rows, ingest busy, seconds since the last compaction) → compact?
        let table: [(Int, Bool, Int, Bool)] = [
            (1000, false, 1, true), (1000, true, 1, false), (2999, true, 60, false),
            (3000, true, 1, true), (5000, true, 60, true), (10, true, 60, false), (10, false, 60, true),
            (10, true, 119, false), (10, true, 120, true), (0, true, 600, false),
        ]
        for (rows, busy, seconds, expected) in table {
            #expect(policy.shouldCompact(now: start + .seconds(seconds), backlogRows: rows, ingestIsBusy: busy) == expected,
                    "\(rows) rows, busy \(busy), \(seconds) s")
        }
        #expect(policy.rowsPerCompaction(ingestIsBusy: true) == 3000)
        #expect(policy.rowsPerCompaction(ingestIsBusy: false) == 1000)
        // Never below one quiet compaction, never above the limit.
        #expect(CompactionPolicy(batchRows: 1000, backlogLimit: 1500, now: start).busyBacklog == 1000)
        #expect(CompactionPolicy(batchRows: 1000, backlogLimit: 6000, busyBacklog: 9000, now: start).busyBacklog == 6000)
    }

    @Test func flushesWaitOnlyPastTheBacklogLimit() {
        let policy = CompactionPolicy(interval: .seconds(10), batchRows: 1000, backlogLimit: 5000, now: start)
        #expect(policy.flushMayProceed(backlogRows: 5000))
        #expect(!policy.flushMayProceed(backlogRows: 5001))
        // The limit is never below one compaction's worth.
        #expect(CompactionPolicy(batchRows: 1000, backlogLimit: 10, now: start).flushMayProceed(backlogRows: 1000))
    }
}
