@testable import OdometerService
import Testing

/// Readiness as a table: each row a state and what `/readyz` must say about it.
@Suite struct HealthStateTests {
    let start = ContinuousClock.Instant.now   // an arbitrary origin; the tests only add to it

    @Test func onlyAConsumingPipelineWithEverythingReachableIsReady() {
        var state = HealthState()
        #expect(state.readiness(at: start).reasons == ["pipeline starting: waiting for the consumer group to assign partitions"])
        state.phase = .consuming
        #expect(state.readiness(at: start) == .ready)
        state.phase = .stopping
        #expect(state.readiness(at: start).reasons == ["shutting down: flushing the last batch"])
    }

    @Test func aRestartShowsTheFailureThatCausedIt() {
        var state = HealthState()
        state.phase = .restarting(failure: "cannot reach Postgres at postgres://odometer:***@db/odometer", attempt: 3)
        #expect(state.readiness(at: start).reasons
                == ["pipeline restarting after failure 3: cannot reach Postgres at postgres://odometer:***@db/odometer"])
    }

    @Test func unreachableServersAreNamedEvenWhileConsuming() {
        var state = HealthState()
        state.phase = .consuming
        state.postgresProblem = "Postgres did not answer within 3 seconds"
        state.kafkaProblem = "cannot reach Kafka at k:9092"
        #expect(state.readiness(at: start).reasons
                == ["Postgres unreachable: Postgres did not answer within 3 seconds", "Kafka unreachable: cannot reach Kafka at k:9092"])
    }

    @Test func aShortPauseIsFlowControlALongOneIsNotReady() {
        var state = HealthState()
        state.phase = .consuming
        state.pausedSince = [1: start, 0: start.advanced(by: .seconds(8))]
        #expect(state.readiness(at: start.advanced(by: .seconds(9))) == .ready)
        let later = start.advanced(by: .seconds(12))
        #expect(state.readiness(at: later).reasons
                == ["paused by back-pressure: shard 1 for 12 s (Postgres or the shards are slower than Kafka)"])
    }

    @Test func partitionsOutOfRangeAreListedInOrder() {
        var state = HealthState()
        state.phase = .consuming
        state.outOfRange = [7: "stored offset 10 is below the log start 500", 2: "stored offset 90 is above the log end 3"]
        #expect(state.readiness(at: start).reasons == [
            "partition 2 offsets out of range: stored offset 90 is above the log end 3",
            "partition 7 offsets out of range: stored offset 10 is below the log start 500",
        ])
    }

    @Test func theRegistryKeepsARestartsFailureUntilConsuming() {
        let clock = start
        let health = ServeHealth(now: { clock })
        health.pipelineFailed("shard 0 stopped", attempt: 1)
        health.pipelineStarting()
        #expect(health.current.phase == .restarting(failure: "shard 0 stopped", attempt: 1))
        health.pipelineConsuming()
        #expect(health.readiness == .ready)
        health.setOutOfRange(partition: 3, message: "below the log start")
        #expect(!health.readiness.isReady)
        health.clearOutOfRange(partition: 3)
        #expect(health.readiness == .ready)
        health.stopping()
        health.pipelineConsuming()   // a late flush during shutdown does not make it ready again
        #expect(health.current.phase == .stopping)
    }
}
