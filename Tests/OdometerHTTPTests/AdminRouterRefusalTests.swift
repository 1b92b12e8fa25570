import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import OdometerConfig
@testable import OdometerHTTP
import OdometerService
import PostgresNIO
import PostgresStore
import Testing

/// The caller's mistakes, refused before anything is read: no or wrong token (401, no detail),
/// bad input (400 naming the parameter), unknown routes and methods (404), all as `{"error": …}`,
/// none with a secret. Needs no server: the Postgres client points at a closed port and is
/// never reached.
@Suite struct AdminRouterRefusalTests {
    static func router(token: String?, health: ServeHealth = ServeHealth()) throws -> Router<BasicRequestContext> {
        var configuration = try AdminEnvironment.configuration(brokers: "127.0.0.1:9", postgresPort: 9, group: "refusals")
        configuration.http.token = token
        var logger = Logger(label: "refusals")
        logger.logLevel = .critical
        let runtime = OdometerRuntime(configuration: configuration, logger: logger)
        let postgres = PostgresClient(configuration: try PostgresURL(parsing: configuration.postgres.url).clientConfiguration,
                                      backgroundLogger: logger)
        let status = ServeStatus(topic: "usage", group: "refusals", deadLetterTopic: "usage.dlq", monitor: PipelineMonitor(health: health))
        return AdminServer.router(settings: try AdminHTTPSettings(configuration.http),
                                  context: ServeContext(runtime: runtime, postgres: postgres, status: status),
                                  metrics: { "" })
    }

    static let tokenRoutes: [(String, HTTPRequest.Method)] = [
        ("/v1/usage", .get), ("/v1/periods/2026-10/close", .post), ("/v1/deliveries", .get),
        ("/v1/deliveries/retry?destination=odoo", .post), ("/v1/dlq/replay", .post),
    ]

    @Test func everyTokenRouteRefusesAMissingOrWrongTokenWithoutDetail() async throws {
        let app = Application(router: try Self.router(token: AdminEnvironment.token))
        try await app.test(.router) { client in
            for (uri, method) in Self.tokenRoutes {
                for headers: HTTPFields in [[:], [.authorization: "Bearer wrong-token"], [.authorization: AdminEnvironment.token],
                                            [.authorization: "Bearer \(AdminEnvironment.token)x"],
                                            [.authorization: "Basic \(AdminEnvironment.token)"]] {
                    let response = try await client.execute(uri: uri, method: method, headers: headers)
                    #expect(response.status == .unauthorized, "\(method) \(uri) with \(headers)")
                    #expect(String(buffer: response.body) == "{\"error\":\"unauthorized\"}\n")
                }
            }
        }
    }

    @Test func withoutAConfiguredTokenTheAdminRoutesStayClosed() async throws {
        let app = Application(router: try Self.router(token: nil))
        try await app.test(.router) { client in
            for (uri, method) in Self.tokenRoutes {
                let response = try await client.execute(uri: uri, method: method, headers: [.authorization: "Bearer "])
                #expect(response.status == .unauthorized, "\(uri)")
            }
            #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
        }
    }

    @Test func badInputIsA400ThatNamesTheParameter() async throws {
        let app = Application(router: try Self.router(token: AdminEnvironment.token))
        let bearer: HTTPFields = [.authorization: "Bearer \(AdminEnvironment.token)"]
        let cases: [(String, HTTPRequest.Method, HTTPResponse.Status, String)] = [
            ("/v1/usage?period=2026-13", .get, .badRequest, "period must be YYYY-MM, e.g. 2026-11"),
            ("/v1/usage?acount=acct-1", .get, .badRequest, "unknown query parameter `acount`; this route takes: account, period"),
            ("/v1/periods/October/close", .post, .badRequest, "period must be YYYY-MM, e.g. 2026-11"),
            ("/v1/periods/2026-10/close?dry_run=true", .post, .badRequest,
             "unknown query parameter `dry_run`; this route takes: account, dryRun, force"),
            ("/v1/periods/2026-10/close?force=maybe", .post, .badRequest, "force must be true or false"),
            ("/v1/deliveries?status=lost", .get, .badRequest, "status must be pending, failed or delivered"),
            ("/v1/deliveries/retry", .post, .badRequest, "destination is required (stripe, lago or odoo)"),
            ("/v1/dlq/replay?since=last-tuesday", .post, .badRequest,
             "since must be an RFC 3339 time (2026-12-02T10:00:00Z) or a duration before now (90m, 2h, 1d)"),
            ("/v1/nothing-here", .get, .notFound, "not found"),
            ("/nothing-here", .get, .notFound, "not found"),
            ("/v1/usage", .delete, .notFound, "not found"),   // Hummingbird answers an unrouted method as 404
        ]
        try await app.test(.router) { client in
            for (uri, method, status, message) in cases {
                let response = try await client.execute(uri: uri, method: method, headers: bearer)
                #expect(response.status == status, "\(method) \(uri)")
                #expect(response.headers[.contentType] == "application/json; charset=utf-8", "\(uri)")
                let body = try JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8)) as? [String: String]
                #expect(body == ["error": message], "\(method) \(uri)")
            }
        }
    }

    @Test func failuresMapToStatusesAndLoseTheirSecrets() {
        let scrubber = SecretScrubber(secrets: AdminEnvironment.secrets)
        let unreachable = AdminAPIError.from(OdometerFailure.environment(
            "cannot reach Postgres at postgres://odometer:\(AdminEnvironment.secrets[2])@127.0.0.1:9/odometer"))
        #expect(unreachable.status == .serviceUnavailable)
        #expect(scrubber.scrub(unreachable.message) == "cannot reach Postgres at postgres://odometer:***@127.0.0.1:9/odometer")
        let refused = AdminAPIError.from(OdometerFailure.user("period 2026-10 cannot close yet: wait, or pass --force"))
        #expect(refused.status == .conflict)
        #expect(AdminAPIError.from(OdometerFailure.user("account \"x\" is not configured")).status == .badRequest)
        let fault = AdminAPIError.from(CancellationError())
        #expect(fault.status == .internalServerError)
        #expect(fault.message == "internal error; the server log has the details")
    }

    /// The Postgres client here points at a closed port and never runs: a route that used it
    /// would wait for a connection until the time limit fails the test.
    @Test(.timeLimit(.minutes(1)))
    func whilePostgresIsUnreachableTheDatabaseRoutesAnswer503AtOnce() async throws {
        let health = ServeHealth()
        health.setPostgresProblem("Postgres did not answer within 3 seconds")
        let app = Application(router: try Self.router(token: AdminEnvironment.token, health: health))
        let bearer: HTTPFields = [.authorization: "Bearer \(AdminEnvironment.token)"]
        try await app.test(.router) { client in
            for (uri, method) in Self.tokenRoutes where !uri.contains("dlq") {
                let response = try await client.execute(uri: uri, method: method, headers: bearer)
                #expect(response.status == .serviceUnavailable, "\(uri)")
                #expect(String(buffer: response.body)
                        == "{\"error\":\"Postgres unreachable: Postgres did not answer within 3 seconds\"}\n")
            }
        }
    }
}
