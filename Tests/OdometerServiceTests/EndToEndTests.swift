import Foundation
import KafkaClient
import MeteringCore
import OdometerService
import OdometerTestSupport
import Testing

/// The whole ingest path on real parts: librdkafka against the mock cluster over TCP, the
/// shards, and a real Postgres. Every total is compared with an independent recount.
@Suite(.serialized) struct EndToEndTests {
    @Test func meteredTotalsEqualAnIndependentRecount() async throws {
        try await PipelineEnvironment.with { environment in
            try await environment.produce(200_000)
            let recount = environment.recount(200_000)
            let pipeline = try environment.pipeline()
            try await environment.meterUntilCaughtUp(pipeline)

            let usage = try await environment.usage()
            let expected = recount.figures
            #expect(usage.count == expected.count)
            for (key, figure) in expected where usage[key] != figure {
                Issue.record("\(key): pipeline says \(usage[key].map(String.init(describing:)) ?? "nothing"), recount \(figure)")
            }
            #expect(await pipeline.committed.events == recount.eventCount)
        }
    }

    @Test func aCrashMidStreamThenARestartCountsEveryEventExactlyOnce() async throws {
        try await PipelineEnvironment.with { environment in
            try await environment.produce(100_000)
            let first = try environment.pipeline()
            let firstRun = Task { try await first.run() }
            // Once it has caught up, more events keep arriving (for 30 s) while the first
            // pipeline runs; it dies when 40,000 of them are committed, well before the end even
            // when a loaded machine makes its flushes large (with a 20-s stream, one full local
            // CI run crashed it only after everything was committed).
            while try await environment.committedEvents() < 100_000 { try await Task.sleep(for: .milliseconds(20)) }
            let producing = Task.detached { [environment] in
                try await environment.produce(300_000, first: 100_000, rate: 10_000)
            }
            while try await environment.committedEvents() < 140_000 { try await Task.sleep(for: .milliseconds(20)) }
            await first.crash()
            try await firstRun.value
            let crashedAt = try await environment.committedEvents()
            try await producing.value
            let recount = environment.recount(100_000, 300_000)
            #expect(crashedAt < 400_000, "the crash must happen mid-stream")

            let second = try environment.pipeline()
            let secondRun = Task { try await second.run() }
            try await environment.waitUntilCaughtUp(timeout: .seconds(120))
            secondRun.cancel()
            try await secondRun.value

            let usage = try await environment.usage()
            let expected = recount.figures
            #expect(usage.count == expected.count)
            for (key, figure) in expected where usage[key] != figure {
                Issue.record("\(key): pipeline says \(usage[key].map(String.init(describing:)) ?? "nothing"), recount \(figure)")
            }
        }
    }

    @Test func shardsBehindTheConsumerArePausedAtTheirHighWaterAndLoseNothing() async throws {
        try await PipelineEnvironment.with { environment in
            try await environment.produce(100_000)
            // 64-message rings cannot take a poll batch: the shards keep taking (default patience)
            // but far slower than the consumer fills their backlogs, so each backlog reaches its
            // high water (two poll batches) and its shard is paused there, again and again.
            let pipeline = try environment.pipeline(ringCapacity: 64)
            try await environment.meterUntilCaughtUp(pipeline)
            #expect(pipeline.backPressurePauses > 0)
            #expect(try await environment.usage() == environment.recount(100_000).figures)
            #expect(await pipeline.committed.events == 100_000)
        }
    }

    @Test func shardsThatTakeNothingArePausedAndResumedAndLoseNothing() async throws {
        try await PipelineEnvironment.with { environment in
            try await environment.produce(100_000)
            // No patience: a shard whose 64-message ring is full at a drain is paused at once, and
            // librdkafka fetches what it had pre-fetched for its partitions again after the resume.
            var settings = environment.settings
            settings.ringCapacity = 64
            settings.shardPatience = .zero
            let pipeline = try environment.pipeline(settings: settings)
            try await environment.meterUntilCaughtUp(pipeline)
            #expect(pipeline.backPressurePauses > 0)
            #expect(try await environment.usage() == environment.recount(100_000).figures)
            #expect(await pipeline.committed.events == 100_000)
        }
    }

    @Test func aFullWindowWaitsForTheFlusherAndLosesNothing() async throws {
        try await PipelineEnvironment.with { environment in
            try await environment.produce(60_000)
            // A 300-key window fills within a poll batch: shards keep stopping until the flusher
            // takes their windows, and the stop at the end must still catch up and flush.
            let pipeline = try environment.pipeline(windowKeyLimit: 300)
            try await environment.meterUntilCaughtUp(pipeline)
            #expect(pipeline.windowStalls > 0)
            #expect(try await environment.usage() == environment.recount(60_000).figures)
            #expect(await pipeline.committed.events == 60_000)
        }
    }

    @Test func eventsNotKeyedBySubjectStillCountExactlyOnce() async throws {
        try await PipelineEnvironment.with(partitions: 8, accounts: 50) { environment in
            try await environment.produceUnkeyed(40_000)
            let pipeline = try environment.pipeline()
            try await environment.meterUntilCaughtUp(pipeline)
            #expect(try await environment.usage() == environment.recount(40_000).figures)
        }
    }
}
