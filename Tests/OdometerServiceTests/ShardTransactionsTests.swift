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
        #expect(ShardTransactions.groups(of: []) == [])
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
                guard try await meeting.waitForBoth(flush: flush) else { return }
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
            await #expect(throws: (any Error).self) { try await first.run() }
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
        var arrived: [Int: Set<Int>] = [:]
        var claimed = false
        var read = false
        var otherCommitSeen: Bool?
    }
    private let state = Mutex(State())

    /// Records `shard` at the hook of `flush`; false once the meeting took place.
    func arrive(flush: Int, shard: Int) -> Bool {
        state.withLock { state in
            guard !state.claimed else { return false }
            state.arrived[flush, default: []].insert(shard)
            return true
        }
    }

    /// Waits up to two seconds for both shards at `flush`'s hooks; the first flush where they
    /// meet is the meeting (false for every other, and when one of them did not write).
    func waitForBoth(flush: Int) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(2)
        while ContinuousClock.now < deadline {
            let met = state.withLock { state -> Bool? in
                guard state.arrived[flush]?.count == 2 else { return nil }
                if state.claimed, state.arrived.keys.max() != flush { return false }
                state.claimed = true
                return true
            }
            if let met { return met }
            try await Task.sleep(for: .milliseconds(5))
        }
        return false
    }

    func markRead() { state.withLock { $0.read = true } }

    func waitUntilRead() async throws {
        while !state.withLock({ $0.read }) { try await Task.sleep(for: .milliseconds(5)) }
    }

    func sawOtherCommit(_ seen: Bool) { state.withLock { $0.otherCommitSeen = seen } }

    var otherCommitSeen: Bool? { state.withLock { $0.otherCommitSeen } }
}
