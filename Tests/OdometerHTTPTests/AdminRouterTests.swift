import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import OdometerConfig
@testable import OdometerHTTP
import OdometerService
import OdometerTestSupport
import PostgresNIO
import Testing

/// Every route of DESIGN §10 through Hummingbird's router test mode (no socket), against real
/// Kafka (mock cluster) and Postgres. Every answer is collected and searched for secrets.
@Suite(.serialized) struct AdminRouterTests {
    static let bearer: HTTPFields = [.authorization: "Bearer \(AdminEnvironment.token)"]

    /// The answers of one test, kept to look for secrets in all of them at the end.
    final class Answers: @unchecked Sendable {
        // @unchecked Sendable is safe: one test appends from its single task, then reads.
        var bodies: [String] = []
    }

    static func json(_ response: TestResponse) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8))
    }

    /// The body as a JSON object; fails the test (without crashing the run) if it is not one.
    static func object(_ response: TestResponse) throws -> [String: Any] {
        try #require(try json(response) as? [String: Any], "not a JSON object: \(String(buffer: response.body))")
    }

    /// The body as a JSON array of objects.
    static func array(_ response: TestResponse) throws -> [[String: Any]] {
        try #require(try json(response) as? [[String: Any]], "not a JSON array: \(String(buffer: response.body))")
    }

    @Test func operatorRoutesAnswerWithWhatTheCommandsPrint() async throws {
        try await AdminEnvironment.with { environment in
            let answers = Answers()
            let known = KnownEvents(accounts: AdminEnvironment.accounts)
            let router = AdminServer.router(settings: try AdminHTTPSettings(environment.runtime.configuration.http),
                                            context: environment.context, metrics: { "# metrics of the test\n" })
            let app = Application(router: router)
            try await app.test(.router) { client in
                func call(_ uri: String, _ method: HTTPRequest.Method = .get, token: Bool = true) async throws -> TestResponse {
                    let response = try await client.execute(uri: uri, method: method, headers: token ? Self.bearer : [:])
                    answers.bodies.append(String(buffer: response.body))
                    return response
                }

                // Before any pipeline ran: alive, not ready, and why.
                #expect(try await call("/healthz").status == .ok)
                let starting = try await call("/readyz")
                #expect(starting.status == .serviceUnavailable)
                let reason = try Self.object(starting)
                #expect((reason["reason"] as? String)?.contains("pipeline starting") == true)

                try environment.produce(known.apiRequests(60) + known.pageViews(4))
                try await environment.meterUntilCaughtUp()
                try await OperationsSampler(runtime: environment.runtime, postgres: environment.postgres,
                                            status: environment.context.status).sampleOnce()
                #expect(try await call("/readyz").status == .ok)

                // usage: the rows `usage --json` prints, checked against a count made here.
                let usage = try await call("/v1/usage?period=2026-10")
                #expect(usage.status == .ok)
                #expect(usage.headers[.contentType] == "application/json; charset=utf-8")
                let rows = try Self.array(usage)
                let expected = known.expectedAPIRequests(60)
                for (account, figures) in expected {
                    let calls = rows.first { $0["account"] as? String == account && $0["meter"] as? String == "api_calls" }
                    let tokens = rows.first { $0["account"] as? String == account && $0["meter"] as? String == "api_tokens" }
                    #expect(calls?["events"] as? Int == figures.events)
                    #expect(calls?["quantity"] as? String == String(figures.events))
                    #expect(tokens?["quantity"] as? String == String(figures.tokens))
                }
                let one = try Self.array(try await call("/v1/usage?account=acct-2"))
                #expect(Set(one.map { $0["account"] as? String }) == ["acct-2"])

                // close: refused while a partition has messages not yet metered and the period's end is
                // still ahead (three events produced after the pipeline stopped); October is covered.
                try environment.produce(known.apiRequests(3, firstID: 1_000, month: "2099-01"))
                let refused = try await call("/v1/periods/2099-01/close", .post)
                #expect(refused.status == .conflict)
                let refusal = try Self.json(refused) as? [String: Any]
                #expect((refusal?["error"] as? String)?.contains("cannot close yet") == true, "\(refusal ?? [:])")
                let dryRun = try Self.object(try await call("/v1/periods/2026-10/close?dryRun=true", .post))
                #expect(dryRun["dryRun"] as? Bool == true)
                #expect(dryRun["accounts"] as? Int == 3)
                #expect(dryRun["linesWritten"] as? Int == 0)
                let closed = try Self.object(try await call("/v1/periods/2026-10/close", .post))
                #expect(closed["dryRun"] as? Bool == false)
                #expect(closed["outboxWritten"] as? Int == 3)   // one Odoo invoice per account

                // deliveries: the three pending invoices; retry of a destination without failures re-queues none.
                let pending = try Self.array(try await call("/v1/deliveries?status=pending"))
                #expect(pending.count == 3)
                #expect(pending.allSatisfy { $0["destination"] as? String == "odoo" && $0["status"] as? String == "pending" })
                #expect(try Self.array(try await call("/v1/deliveries?status=failed")).isEmpty)
                let retried = try Self.object(try await call("/v1/deliveries/retry?destination=odoo", .post))
                #expect(retried["retried"] as? Int == 0)

                // dlq replay, dry run: the four unknown_type events, nothing produced.
                let replay = try Self.object(try await call("/v1/dlq/replay?dryRun=true&reason=unknown_type", .post))
                #expect(replay["selected"] as? Int == 4)
                #expect(replay["replayed"] as? Int == 0)
                #expect(((replay["deadLetters"] as? [[String: Any]]) ?? [[:]]).allSatisfy { $0["reason"] as? String == "unknown_type" })

                // The page and the metrics need no token; the page shows what the sampler read after the close.
                try await OperationsSampler(runtime: environment.runtime, postgres: environment.postgres,
                                            status: environment.context.status).sampleOnce()
                let page = try await call("/", token: false)
                #expect(page.status == .ok)
                #expect(page.headers[.contentType] == "text/html; charset=utf-8")
                let html = String(buffer: page.body)
                #expect(html.contains("data-figure=\"events-metered\">60<"))
                #expect(html.contains("data-reason=\"unknown_type\""))
                #expect(html.contains("<tr data-destination=\"odoo\">"))
                let metrics = try await call("/metrics", token: false)
                #expect(metrics.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
                #expect(String(buffer: metrics.body) == "# metrics of the test\n")
            }
            for body in answers.bodies {
                for secret in AdminEnvironment.secrets { #expect(!body.contains(secret), "a secret in: \(body.prefix(200))") }
            }
        }
    }
}
