import Foundation
import OdometerTestSupport
import Testing

/// `odometer serve` as an operator sees it, over loopback HTTP: Prometheus metrics that
/// promtool accepts and that count what was metered, and readiness through a Postgres outage.
@Suite(.serialized) struct ServeOperationsTests {
    /// The value of an unlabeled or labeled sample line, e.g. `odometer_events_metered_total` or
    /// `odometer_events_rejected_total{reason="bad_time"}`.
    static func sample(_ name: String, in text: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(name + " ") {
            return Double(line.dropFirst(name.count + 1))
        }
        return nil
    }

    @Test func metricsPassPromtoolAndCountWhatWasMetered() async throws {
        try await ServeFixture.with { fixture in
            let config = try fixture.config(named: "metrics")
            #expect(try await fixture.cli.run(["migrate", "--config", config]).status == 0)
            try fixture.produce(fixture.known.apiRequests(2_400) + fixture.known.pageViews(7) + fixture.known.badTimes(3))
            let serve = try await fixture.startServe(config: config)
            do {
                try await fixture.waitUntilMetered()
                // Counted here: 2,400 api_request events are valid; page_view has no meter, and 3 times are bad.
                let metered = await HTTPProbe.poll(fixture.base + "/metrics", timeout: .seconds(30)) {
                    Self.sample("odometer_events_metered_total", in: $0.body) == 2_400
                }
                let text = try #require(metered).body
                #expect(Self.sample("odometer_events_metered_total", in: text) == 2_400)
                #expect(Self.sample("odometer_events_rejected_total{reason=\"unknown_type\"}", in: text) == 7)
                #expect(Self.sample("odometer_events_rejected_total{reason=\"bad_time\"}", in: text) == 3)
                #expect(metered?.contentType == "text/plain; version=0.0.4; charset=utf-8")
                let check = try Promtool.checkMetrics(text)
                #expect(check.status == 0, "promtool: \(check.output)")
                #expect(check.output.isEmpty, "promtool: \(check.output)")

                // The sampler's lag: every partition caught up, per the high watermarks read here.
                let lagged = await HTTPProbe.poll(fixture.base + "/metrics", timeout: .seconds(30)) { answer in
                    (0..<4).allSatisfy { Self.sample("odometer_consumer_lag_messages{partition=\"\($0)\"}", in: answer.body) == 0 }
                }
                #expect(lagged != nil && (0..<4).allSatisfy {
                    Self.sample("odometer_consumer_lag_messages{partition=\"\($0)\"}", in: lagged!.body) == 0
                }, "\(lagged?.body.split(separator: "\n").filter { $0.contains("lag") } ?? [])")
                #expect(Self.sample("odometer_ready", in: lagged?.body ?? "") == 1)
            } catch {
                _ = await serve.terminate()
                throw error
            }
            let stopped = await serve.terminate()
            #expect(stopped.status == 0, "serve: \(stopped.error.suffix(3000))")
        }
    }

    @Test func readinessFollowsAPostgresOutage() async throws {
        try await ServeFixture.with { fixture in
            let config = try fixture.config(named: "outage")
            #expect(try await fixture.cli.run(["migrate", "--config", config]).status == 0)
            try fixture.produce(fixture.known.apiRequests(500))
            let serve = try await fixture.startServe(config: config)
            do {
                try await fixture.waitUntilMetered()
                try await fixture.database.control(.pause)
                let down = await HTTPProbe.poll(fixture.base + "/readyz", timeout: .seconds(60)) { $0.status == 503 }
                #expect(down?.status == 503)
                let reason = try JSONSerialization.jsonObject(with: Data((down?.body ?? "{}").utf8)) as? [String: Any]
                #expect((reason?["reason"] as? String)?.contains("Postgres unreachable") == true, "\(down?.body ?? "")")
                #expect(reason?["ready"] as? Bool == false)
                // Alive all along.
                #expect(try await HTTPProbe.call(fixture.base + "/healthz").status == 200)

                try await fixture.database.control(.resume)
                let back = await HTTPProbe.poll(fixture.base + "/readyz", timeout: .seconds(120)) { $0.status == 200 }
                #expect(back?.status == 200, "\(back?.body ?? "no answer")")
                // And it meters again after the outage.
                try fixture.produce(fixture.known.apiRequests(100, firstID: 500))
                try await fixture.waitUntilMetered()
            } catch {
                _ = await serve.terminate()
                throw error
            }
            let stopped = await serve.terminate()
            #expect(stopped.status == 0, "serve: \(stopped.error.suffix(3000))")
        }
    }

    @Test func anOpenListenerWithoutATokenRefusesToStart() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("odometer-open-\(UUID().uuidString).yaml")
        try """
            kafka: { brokers: "127.0.0.1:9" }
            postgres: { url: "postgres://odometer@127.0.0.1:1/odometer" }
            http: { listen: "0.0.0.0:18080" }
            meters: [ { slug: m, eventType: e, aggregation: COUNT } ]
            """.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let refused = try await CommandRunner().run(["serve", "--config", file.path], timeout: .seconds(30))
        #expect(refused.status == 1)
        #expect(refused.error == "odometer: config: `http.token` is required when `http.listen` (0.0.0.0:18080) is not a "
                + "loopback address: set `http.token` (e.g. \"${ODOMETER_ADMIN_TOKEN}\"), or listen on 127.0.0.1\n")
    }
}
