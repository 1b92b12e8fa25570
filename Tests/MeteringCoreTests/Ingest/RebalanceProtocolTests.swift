import Testing
@testable import MeteringCore

/// The rebalance protocol as a table: each row an event and the action it must produce.
@Suite struct RebalanceProtocolTests {
    typealias Rebalance = RebalanceProtocol<ContinuousClock.Instant>
    let start = ContinuousClock.Instant.now

    /// A protocol that owns `owned`, each fetched from offset 100 at epoch 2.
    func owning(_ owned: [Int32]) -> Rebalance {
        var rebalance = Rebalance(catchUpLimit: .seconds(30))
        _ = rebalance.assigned(owned)
        let claims = Dictionary(uniqueKeysWithValues: owned.map { ($0, StoredClaim(nextOffset: 100, epoch: 2)) })
        let logs = Dictionary(uniqueKeysWithValues: owned.map { ($0, LogRange(low: 0, high: 500)) })
        _ = rebalance.claimed(claims, logs: logs)
        return rebalance
    }

    @Test func aRevocationDrainsWaitsFlushesThenReleases() {
        var rebalance = owning([0, 1, 2])
        #expect(rebalance.revoked([2, 0], now: start) == .drainBacklogs(deadline: start + .seconds(30)))
        // Draining and catching up share one deadline: neither may wait for ever.
        #expect(rebalance.backlogsDrained() == .awaitShards(deadline: start + .seconds(30)))
        #expect(rebalance.shardsCaughtUp() == .flush)
        #expect(rebalance.flushCommitted() == .release([0, 2]))
        #expect(Array(rebalance.partitions.keys) == [1])
        // The next rebalance goes through again.
        #expect(rebalance.revoked([1], now: start + .seconds(1)) == .drainBacklogs(deadline: start + .seconds(31)))
    }

    @Test func aFailedOrFencedFlushEndsThePipeline() {
        var rebalance = owning([3])
        _ = rebalance.revoked([3], now: start)
        _ = rebalance.backlogsDrained()
        _ = rebalance.shardsCaughtUp()
        let action = rebalance.flushFailed("flush refused: partitions [3] were claimed by another owner")
        guard case .fail(let reason) = action else { Issue.record("expected a failure, got \(action)"); return }
        #expect(reason.contains("claimed by another owner") && reason.contains("dropping"))
        // Nothing commits after a failure: every later step fails too.
        #expect(rebalance.assigned([4]) == .fail("the pipeline has already failed"))
        #expect(rebalance.revoked([3], now: start) == .fail("the pipeline has already failed"))
    }

    @Test func shardsThatDoNotCatchUpInTimeEndThePipeline() {
        var rebalance = owning([0])
        _ = rebalance.revoked([0], now: start)
        _ = rebalance.backlogsDrained()
        guard case .fail = rebalance.shardsTimedOut() else { Issue.record("expected a failure"); return }
    }

    @Test func shardsThatDoNotTakeTheirBacklogsInTimeEndThePipeline() {
        var rebalance = owning([0])
        _ = rebalance.revoked([0], now: start)
        guard case .fail(let reason) = rebalance.shardsTimedOut() else { Issue.record("expected a failure"); return }
        #expect(reason.contains("within 30"))
        #expect(rebalance.assigned([1]) == .fail("the pipeline has already failed"))
    }

    @Test func revokingPartitionsNotOwnedDoesNothing() {
        var rebalance = owning([0])
        #expect(rebalance.revoked([7, 8], now: start) == .done)
        #expect(rebalance.revoked([], now: start) == .done)
    }

    @Test func anAssignmentClaimsOnlyNewPartitionsAndStartsThemAtTheirStoredOffsets() {
        var rebalance = owning([0])
        #expect(rebalance.assigned([2, 0, 1]) == .claim([1, 2]))
        let action = rebalance.claimed(
            [1: StoredClaim(nextOffset: 40, epoch: 5), 2: StoredClaim(nextOffset: 0, epoch: 1)],
            logs: [1: LogRange(low: 0, high: 90), 2: LogRange(low: 0, high: 0)])
        #expect(action == .start([FetchStart(partition: 1, seekTo: 40, meterFrom: 40, epoch: 5),
                                  FetchStart(partition: 2, seekTo: 0, meterFrom: 0, epoch: 1)], stopped: []))
    }

    @Test func theDedupWindowIsReadAgainBeforeTheStoredOffset() {
        var rebalance = Rebalance()
        _ = rebalance.assigned([0, 1])
        let action = rebalance.claimed(
            [0: StoredClaim(nextOffset: 900, epoch: 3, dedupFrom: 400),
             1: StoredClaim(nextOffset: 900, epoch: 3, dedupFrom: 100)],
            logs: [0: LogRange(low: 0, high: 1000), 1: LogRange(low: 250, high: 1000)])
        #expect(action == .start([
            FetchStart(partition: 0, seekTo: 400, meterFrom: 900, epoch: 3, windowCoveredByLog: true),
            // Retention deleted part of the window: start at the log start, and say so.
            FetchStart(partition: 1, seekTo: 250, meterFrom: 900, epoch: 3, windowCoveredByLog: false),
        ], stopped: []))
    }

    @Test func aStoredOffsetOutsideTheLogStopsThatPartitionOnly() {
        var rebalance = Rebalance()
        _ = rebalance.assigned([0, 1, 2])
        let action = rebalance.claimed(
            [0: StoredClaim(nextOffset: 120, epoch: 2), 1: StoredClaim(nextOffset: 50, epoch: 2),
             2: StoredClaim(nextOffset: 7000, epoch: 2)],
            logs: [0: LogRange(low: 5000, high: 9000), 1: LogRange(low: 0, high: 60), 2: LogRange(low: 0, high: 10)])
        let belowStart = OffsetProblem(partition: 0, storedOffset: 120, log: LogRange(low: 5000, high: 9000), kind: .belowLogStart)
        let pastEnd = OffsetProblem(partition: 2, storedOffset: 7000, log: LogRange(low: 0, high: 10), kind: .pastLogEnd)
        #expect(action == .start([FetchStart(partition: 1, seekTo: 50, meterFrom: 50, epoch: 2)],
                                 stopped: [belowStart, pastEnd]))
        #expect(rebalance.stopped == [belowStart, pastEnd])
        #expect(belowStart.description.contains("4880 events were deleted before they were metered"))
        #expect(belowStart.description.contains("odometer offsets reset --partition 0"))
        #expect(pastEnd.description.contains("recreated"))
    }

    @Test func anOffsetFoundOutOfRangeWhileFetchingStopsThePartition() {
        var rebalance = owning([0, 1])
        let action = rebalance.offsetOutOfRange(partition: 1, offset: 300, log: LogRange(low: 800, high: 900))
        #expect(action == .stop(OffsetProblem(partition: 1, storedOffset: 300, log: LogRange(low: 800, high: 900),
                                              kind: .belowLogStart)))
        #expect(rebalance.stopped.map(\.partition) == [1])
        // Reported again (librdkafka repeats it): nothing new.
        #expect(rebalance.offsetOutOfRange(partition: 1, offset: 300, log: LogRange(low: 800, high: 900)) == .done)
        // A stopped partition is still released with the others.
        _ = rebalance.revoked([0, 1], now: start)
        _ = rebalance.backlogsDrained()
        _ = rebalance.shardsCaughtUp()
        #expect(rebalance.flushCommitted() == .release([0, 1]))
        #expect(rebalance.stopped.isEmpty)
    }

    @Test func aClaimThatFailsEndsThePipeline() {
        var rebalance = Rebalance()
        _ = rebalance.assigned([0])
        guard case .fail(let reason) = rebalance.claimFailed("connection refused") else {
            Issue.record("expected a failure"); return
        }
        #expect(reason.contains("connection refused"))
    }

    @Test func stepsOutOfOrderAreRefused() {
        var rebalance = owning([0])
        guard case .fail = rebalance.flushCommitted() else { Issue.record("a flush nobody asked for must fail"); return }
    }
}
