import Foundation
@testable import OdometerService
import OdometerTestSupport
import PostgresStore
import Synchronization
import Testing

/// A flush commits each shard's deltas with its partitions' offsets in a transaction of its own,
/// side by side (`ShardTransactions`): one can commit while another is still open, and when one
/// fails after another committed, the next pipeline still meters every event exactly once.
@Suite(.serialized) struct ShardTransactionsTests {
    @Test func shardsAreDealtIntoAtMostTheMaximumOfTransactions() {
        #expect(ShardTransactions.groups(of: [Int]()) == [])
        #expect(ShardTransactions.groups(of: [1]) == [[1]])
        #expect(ShardTransactions.groups(of: [0, 1]) == [[0], [1]])
        #expect(ShardTransactions.maximumTransactions == 4)
        #expect(ShardTransactions.groups(of: Array(0..<6)) == [[0, 4], [1, 5], [2], [3]])
        #expect(ShardTransactions.groups(of: [0, 2, 3, 5, 6, 7, 9]) == [[0, 6], [2, 7], [3, 9], [5]])
    }

    @Test func oneShardCommitsWhileAnotherIsOpenAndItsFailureLosesNothing() async throws {
        try await PipelineEnvironment.with(partitions: 4, accounts: 400) { environment in
            try await environment.produce(60_000)
            let meeting = ShardMeeting()
            let (group, topic, postgres, logger) = (environment.group, environment.topic, environment.postgres, environment.logger)
            /// The offsets shard 0's partitions (the even ones, of two shards) hold in Postgres.
            let evenOffsets: @Sendable () async throws -> Int64 = {
                try await UsageQueries(client: postgres, logger: logger).offsets(group: group, topic: topic)
                    .filter { $0.key % 2 == 0 }.values.reduce(0) { $0 + $1.nextOffset }
            }
            var settings = environment.settings
            // In the first flush where both shards write, both stop before their commits; shard 1
            // reads shard 0's offsets, lets shard 0 commit, waits to see that commit from outside
            // (so the two transactions were open together), then fails.
            settings.failpoints = Failpoints { flush, shard in
                guard meeting.arrive(flush: flush, shard: shard) else { return }
                guard try await meeting.waitForBoth(flush: flush, shard: shard) else { return }
                if shard == 0 {
                    try await meeting.waitUntilRead()
                    return
                }
                let before = try await evenOffsets()
                meeting.markRead()
                let deadline = ContinuousClock.now + .seconds(60)
                while try await evenOffsets() <= before, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(10))
                }
                meeting.sawOtherCommit(try await evenOffsets() > before)
                throw FailpointError(flush: flush, shard: shard)
            }
            let first = try environment.pipeline(settings: settings)
            let running = Task { try await first.run() }
            // Were the shards never to meet, the pipeline would meter everything and wait for
            // more: stopped after two minutes, it ends without an error, which fails the test.
            let watchdog = Task {
                try await Task.sleep(for: .seconds(120))
                running.cancel()
            }
            await #expect(throws: (any Error).self) { try await running.value }
            watchdog.cancel()
            #expect(meeting.otherCommitSeen == true, "shard 0's transaction should commit while shard 1's is open")

            // Shard 0's partitions resume after its commit, shard 1's before the failed one.
            try await environment.meterUntilCaughtUp(environment.pipeline())
            let differences = UsageFigures.differences(try await environment.usage(), environment.recount(60_000).figures)
            #expect(differences.isEmpty, "\(differences.count) rows differ, e.g. \(differences.prefix(3))")
        }
    }
}

/// Where the two shards' transactions of one flush meet inside `Failpoints` (once per test).
private final class ShardMeeting: Sendable {
    private struct State {
        /// The shards waiting at each flush's hooks.
        var waiting: [Int: Set<Int>] = [:]
        /// The flush where both met.
        var meeting: Int?
        var read = false
        var otherCommitSeen: Bool?
    }
    private let state = Mutex(State())

    /// Records `shard` at the hook of `flush`; false once the meeting took place.
    func arrive(flush: Int, shard: Int) -> Bool {
        state.withLock { state in
            guard state.meeting == nil else { return false }
            state.waiting[flush, default: []].insert(shard)
            return true
        }
    }

    /// Waits up to two seconds for the other shard at `flush`'s hooks: true when both met there
    /// (the first flush where they do), false when the other one did not write in this flush.
    func waitForBoth(flush: Int, shard: Int) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(2)
        while true {
            let met = state.withLock { state -> Bool? in
                if let meeting = state.meeting { return meeting == flush }
                if state.waiting[flush]?.count == 2 {
                    state.meeting = flush
                    return true
                }
                guard ContinuousClock.now < deadline else {
                    state.waiting[flush]?.remove(shard)
                    return false
                }
                return nil
            }
            if let met { return met }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    func markRead() { state.withLock { $0.read = true } }

    func waitUntilRead() async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while !state.withLock({ $0.read }), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
    }

    func sawOtherCommit(_ seen: Bool) { state.withLock { $0.otherCommitSeen = seen } }

    var otherCommitSeen: Bool? { state.withLock { $0.otherCommitSeen } }
}
