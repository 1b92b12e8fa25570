import Foundation
import OdometerTestSupport
import Testing

/// `odometer dlq replay` end to end: events dead-lettered because their meter was missing are
/// metered once after the configuration gains it and they are replayed.
@Suite(.serialized) struct DeadLetterReplayTests {
    static let apiRequests = 400
    static let pageViews = 12
    static let badTimes = 3

    /// Meters the stream with the configuration that lacks page_views, then replays with the one that has it.
    static func meteredThenReplayed(_ fixture: ServeFixture, dedup: Bool) async throws -> (before: String, after: String) {
        let before = try fixture.config(named: "before", dedup: dedup)
        let after = try fixture.config(named: "after", pageViews: true, dedup: dedup)
        #expect(try await fixture.cli.run(["migrate", "--config", before]).status == 0)
        try fixture.produce(fixture.known.apiRequests(apiRequests) + fixture.known.pageViews(pageViews)
                            + fixture.known.badTimes(badTimes))
        let serve = try await fixture.startServe(config: before)
        try await fixture.waitUntilMetered()
        #expect(await serve.terminate().status == 0)

        // A dry run lists every dead letter and produces nothing.
        let usageEnd = try fixture.watermarks("usage")
        let dryRun = try await fixture.cli.run(["dlq", "replay", "--dry-run", "--json", "--config", after])
        #expect(dryRun.status == 0, "\(dryRun.error)")
        let planned = try #require(try JSONSerialization.jsonObject(with: Data(dryRun.output.utf8)) as? [String: Any])
        #expect(planned["selected"] as? Int == pageViews + badTimes)
        #expect(planned["byReason"] as? [String: Int] == ["unknown_type": pageViews, "bad_time": badTimes])
        #expect(planned["replayed"] as? Int == 0)
        #expect(try fixture.watermarks("usage") == usageEnd)

        // Nothing was appended after a time in the future.
        let none = try await fixture.cli.run(["dlq", "replay", "--since", "2099-01-01T00:00:00Z", "--json", "--config", after])
        #expect((try JSONSerialization.jsonObject(with: Data(none.output.utf8)) as? [String: Any])?["selected"] as? Int == 0)

        // The fix: replay only what the new meter takes.
        let replay = try await fixture.cli.run(["dlq", "replay", "--reason", "unknown_type", "--config", after])
        #expect(replay.status == 0, "\(replay.error)")
        #expect(replay.output.contains("replayed \(pageViews) of \(pageViews + badTimes) dead letters from usage.dlq to usage"))
        let appended = try fixture.watermarks("usage").reduce(Int64(0)) { $0 + $1.value.high }
        #expect(appended == usageEnd.reduce(Int64(0)) { $0 + $1.value.high } + Int64(pageViews))
        return (before, after)
    }

    /// Rows of `usage --json` for one meter: account → events.
    static func events(of meter: String, _ fixture: ServeFixture, config: String) async throws -> [String: Int] {
        let usage = try await fixture.cli.run(["usage", "--json", "--config", config])
        #expect(usage.status == 0, "\(usage.error)")
        var result: [String: Int] = [:]
        for line in usage.output.split(separator: "\n") {
            let row = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            if row["meter"] as? String == meter, let account = row["account"] as? String, let events = row["events"] as? Int {
                result[account, default: 0] += events
            }
        }
        return result
    }

    static func meterAgain(_ fixture: ServeFixture, config: String) async throws {
        let serve = try await fixture.startServe(config: config)
        try await fixture.waitUntilMetered()
        #expect(await serve.terminate().status == 0)
    }

    /// Without dedup, the replay path alone: the fixed events are metered exactly once.
    @Test func invalidEventsFixedAndReplayedAreCountedOnce() async throws {
        try await ServeFixture.with { fixture in
            let (_, after) = try await Self.meteredThenReplayed(fixture, dedup: false)
            try await Self.meterAgain(fixture, config: after)
            #expect(try await Self.events(of: "page_views", fixture, config: after) == fixture.known.expectedPageViews(Self.pageViews))
            let calls = try await Self.events(of: "api_calls", fixture, config: after)
            #expect(calls == fixture.known.expectedAPIRequests(Self.apiRequests).mapValues(\.events))
        }
    }

    /// With dedup (the default), the replayed copies count once, and a second replay nothing more:
    /// the window rebuild after the restart skips what was dead-lettered.
    @Test func withDedupReplayedEventsCountOnceAndReplayingAgainCountsNothingMore() async throws {
        try await ServeFixture.with { fixture in
            let (_, after) = try await Self.meteredThenReplayed(fixture, dedup: true)
            try await Self.meterAgain(fixture, config: after)
            let expected = fixture.known.expectedPageViews(Self.pageViews)
            let once = try await Self.events(of: "page_views", fixture, config: after)
            #expect(once == expected)
            let again = try await fixture.cli.run(["dlq", "replay", "--reason", "unknown_type", "--config", after])
            #expect(again.status == 0, "\(again.error)")
            try await Self.meterAgain(fixture, config: after)
            let twice = try await Self.events(of: "page_views", fixture, config: after)
            #expect(twice == expected)
            let calls = try await Self.events(of: "api_calls", fixture, config: after)
            #expect(calls == fixture.known.expectedAPIRequests(Self.apiRequests).mapValues(\.events))
        }
    }
}
