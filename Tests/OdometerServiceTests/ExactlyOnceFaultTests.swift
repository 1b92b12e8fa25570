import Foundation
import KafkaClient
import MeteringCore
import MeteringWorkload
@testable import OdometerService
import OdometerTestSupport
import Synchronization
import Testing

/// Exactly once where it is hardest, in process: a flush that fails while a revocation waits
/// behind it, dedup through a restart, and every client of the pipeline taking the Kafka
/// properties. (The kill -9, rebalance and outage tests run `odometer serve` as child processes.)
@Suite(.serialized) struct ExactlyOnceFaultTests {
    @Test func aFailedFlushLetsNoQueuedRevocationCommitAfterIt() async throws {
        try await PipelineEnvironment.with(partitions: 4, accounts: 400) { environment in
            try await environment.produce(150_000)
            let gate = FlushGate()
            var settings = environment.settings
            // The first transaction after the first commit stops before its commit, waits until a
            // revocation's flush is queued behind it, then fails. (Not "flush 2, shard 1": on a
            // slow machine the first flush may take all of one shard's events, and a flush
            // without that shard never reaches the failpoint.)
            settings.failpoints = Failpoints { flush, shard in
                guard flush >= 2 else { return }
                try await gate.holdThenFail(flush: flush, shard: shard)
            }
            let first = try environment.pipeline(settings: settings)
            let firstRun = Task { try await first.run() }
            // Events produced after the first commit make sure a later flush has rows to write.
            while try await environment.committedEvents() == 0 { try await Task.sleep(for: .milliseconds(20)) }
            try await environment.produce(50_000, first: 150_000)
            try await gate.waitUntilHeld()
            let requestsWhileHeld = first.flushRequests
            // A second member joins: the group revokes the first one's partitions, whose
            // revocation flushes behind the held one.
            let second = try environment.pipeline()
            let secondRun = Task { try await second.run() }
            while first.flushRequests == requestsWhileHeld { try await Task.sleep(for: .milliseconds(20)) }
            gate.release()
            await #expect(throws: (any Error).self) { try await firstRun.value }

            // The second member resumes from what was committed: every event exactly once.
            try await environment.waitUntilCaughtUp()
            secondRun.cancel()
            try await secondRun.value
            let usage = try await environment.usage()
            let expected = environment.recount(150_000, 50_000).figures
            let differences = UsageFigures.differences(usage, expected)
            #expect(differences.isEmpty, "\(differences.count) rows differ, e.g. \(differences.prefix(3))")
        }
    }

    @Test func copiesAreCountedOnceThroughARestartAndConflictsAreDeadLettered() async throws {
        try await PipelineEnvironment.with(partitions: 4, accounts: 500) { environment in
            let events = Array(environment.workload.stream(count: 30_000, seed: 42))
            try await environment.produce(30_000)
            // Exact copies of 1,500 events right away, and 60 copies with changed payloads.
            try await environment.produceCopies(events[0..<1500].map { (EventCopies.bytes(of: $0), $0.accountID) })
            let conflicting = events[20_000..<20_060].map { (EventCopies.conflictingBytes(of: $0), $0.accountID) }
            try await environment.produceCopies(conflicting)

            let first = try environment.pipeline()
            try await environment.meterUntilCaughtUp(pipeline: first, crash: true)
            #expect(await first.committed.duplicates == 1500)

            // After the restart, the window is rebuilt from the log: later copies are still caught.
            try await environment.produceCopies(events[1500..<3000].map { (EventCopies.bytes(of: $0), $0.accountID) })
            let second = try environment.pipeline()
            try await environment.meterUntilCaughtUp(second)
            #expect(await second.committed.duplicates == 1500)
            #expect(second.messagesReadForDedup >= 31_560, "the whole window is read again after the restart")

            let usage = try await environment.usage()
            let expected = environment.recount(30_000).figures
            let differences = UsageFigures.differences(usage, expected)
            #expect(differences.isEmpty, "\(differences.count) rows differ, e.g. \(differences.prefix(3))")
            let letters = try await DeadLetterReader.readAll(brokers: environment.kafka.bootstrapServers, topic: "usage.dlq")
            #expect(letters.count == 60)
            #expect(Set(letters.map(\.reason)) == ["conflicting_duplicate"])
            #expect(Set(letters.map(\.payload)) == Set(conflicting.map { String(decoding: $0.0, as: UTF8.self) }))
        }
    }

    @Test func aWindowOlderThanDedupWindowIsNotReadAgainAndItsCopiesCountAnew() async throws {
        try await PipelineEnvironment.with(partitions: 2, accounts: 100) { environment in
            var settings = environment.settings
            settings.dedup = DedupSettings(window: .seconds(2))
            let events = Array(environment.workload.stream(count: 5_000, seed: 42))
            try await environment.produce(5_000)
            try await environment.meterUntilCaughtUp(environment.pipeline(settings: settings))
            try await Task.sleep(for: .seconds(3))
            // Everything metered is older than the window: a restart reads nothing again, and a
            // copy sent now is a new event (the window bounds memory; it is not forever).
            try await environment.produceCopies(events[0..<10].map { (EventCopies.bytes(of: $0), $0.accountID) })
            let second = try environment.pipeline(settings: settings)
            try await environment.meterUntilCaughtUp(second)
            #expect(second.messagesReadForDedup == 0)
            #expect(await second.committed.events == 10)
            #expect(await second.committed.duplicates == 0)
        }
    }

    @Test func deadLettersFixedAndReplayedAfterARestartCountOnceAndAgainNothing() async throws {
        // Without a meter for logins, their events are dead-lettered as unknown_type.
        let withoutLogins = UsageWorkload.meters.filter { $0.slug != "active_users" }
        try await PipelineEnvironment.with(partitions: 4, accounts: 200, meters: withoutLogins) { environment in
            try await environment.produce(20_000)
            try await environment.meterUntilCaughtUp(environment.pipeline())
            let letters = try await DeadLetterReader.readAll(brokers: environment.kafka.bootstrapServers, topic: "usage.dlq")
            #expect(!letters.isEmpty && letters.allSatisfy { $0.reason == "unknown_type" })

            // The fix: the login meter is configured, and serve restarts. Its window rebuild reads
            // the logins again, now valid, and must not take them for metered events.
            let fixed = try environment.pipeline(catalog: MeterCatalog(meters: UsageWorkload.meters))
            let running = Task { try await fixed.run() }
            defer { running.cancel() }
            while fixed.messagesReadForDedup < 20_000 { try await Task.sleep(for: .milliseconds(50)) }
            // The replay (what `odometer dlq replay` sends: the same key and payload), twice.
            let replayed = letters.map { (Array($0.payload.utf8), Self.subject(of: $0.payload)) }
            try await environment.produceCopies(replayed)
            try await environment.produceCopies(replayed)
            try await environment.waitUntilCaughtUp()
            running.cancel()
            try await running.value
            #expect(await fixed.committed.events == letters.count)
            #expect(await fixed.committed.duplicates == letters.count)
            let usage = try await UsageFigures.read(postgres: environment.postgres, meters: UsageWorkload.meters,
                                                    logger: environment.logger)
            let differences = UsageFigures.differences(usage, environment.recount(20_000).figures)
            #expect(differences.isEmpty, "\(differences.count) rows differ, e.g. \(differences.prefix(3))")
        }
    }

    static func subject(of payload: String) -> String {
        let marker = "\"subject\":\""
        let start = payload.range(of: marker)!.upperBound
        return String(payload[start...].prefix { $0 != "\"" })
    }

    @Test func theDeadLetterProducerTakesTheKafkaProperties() async throws {
        try await PipelineEnvironment.with(partitions: 1, accounts: 10) { environment in
            var settings = environment.settings
            settings.kafkaProperties = ["socket.timeout.ms": "12345", "session.timeout.ms": "7000"]
            let pipeline = try environment.pipeline(settings: settings)
            #expect(pipeline.deadLetterProducerSetting("socket.timeout.ms") == "12345")
        }
    }
}

/// Holds a flush's transaction open until the test releases it, then fails it.
final class FlushGate: Sendable {
    private let held = Atomic<Bool>(false)
    private let released = Atomic<Bool>(false)

    func holdThenFail(flush: Int, shard: Int) async throws {
        held.store(true, ordering: .releasing)
        while !released.load(ordering: .acquiring) { try await Task.sleep(for: .milliseconds(10)) }
        throw FailpointError(flush: flush, shard: shard)
    }

    func waitUntilHeld() async throws {
        let deadline = ContinuousClock.now + .seconds(120)
        while !held.load(ordering: .acquiring) {
            guard ContinuousClock.now < deadline else { throw CancellationError() }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    func release() { released.store(true, ordering: .releasing) }
}
