import Foundation
import Hummingbird
import MeteringCore
import OdometerService

/// The token routes of DESIGN §10, `/v1/…`. Each handler parses its parameters with
/// `OperatorInput` and calls the runtime function its CLI command calls, with `serve`'s
/// Postgres client; the JSON is what the command prints with `--json`.
struct AdminAPIRoutes {
    let context: ServeContext
    /// The wall clock, for `since` given as a duration before now.
    let now: @Sendable () -> Date

    func register(on group: RouterGroup<BasicRequestContext>) {
        group.get("usage", use: usage)
        group.post("periods/:period/close", use: close)
        group.get("deliveries", use: deliveries)
        group.post("deliveries/retry", use: retryDeliveries)
        group.post("dlq/replay", use: replayDeadLetters)
    }

    @Sendable func usage(_ request: Request, _: BasicRequestContext) async throws -> Response {
        let query = try QueryParameters(request, allowed: ["account", "period"])
        let period = try query["period"].map { try OperatorInput.period($0, parameter: "period") }
        try requirePostgres()
        let rows = try await context.runtime.usage(postgres: context.postgres, account: query["account"], period: period)
        return JSONBody.response(JSONBody.array(rows.map(UsageReport.json)))
    }

    @Sendable func close(_ request: Request, _ route: BasicRequestContext) async throws -> Response {
        let query = try QueryParameters(request, allowed: ["account", "force", "dryRun"])
        let period = try OperatorInput.period(route.parameters.get("period") ?? "", parameter: "period")
        try requirePostgres()
        let summary = try await context.runtime.close(
            postgres: context.postgres, period: period, account: query["account"],
            dryRun: try OperatorInput.flag(query.flag("dryRun"), parameter: "dryRun"),
            force: try OperatorInput.flag(query.flag("force"), parameter: "force"))
        return JSONBody.response(summary.json)
    }

    @Sendable func deliveries(_ request: Request, _: BasicRequestContext) async throws -> Response {
        let query = try QueryParameters(request, allowed: ["status"])
        let status = try query["status"].map { try OperatorInput.outboxStatus($0, parameter: "status") }
        try requirePostgres()
        let listing = try await context.runtime.deliveries(postgres: context.postgres, status: status)
        let lines = listing.entries.isEmpty ? [] : listing.render(json: true).split(separator: "\n").map(String.init)
        return JSONBody.response(JSONBody.array(lines))
    }

    @Sendable func retryDeliveries(_ request: Request, _: BasicRequestContext) async throws -> Response {
        let query = try QueryParameters(request, allowed: ["destination", "document"])
        guard let destination = query["destination"] else {
            throw AdminAPIError.badRequest("destination is required (stripe, lago or odoo)")
        }
        try requirePostgres()
        let count = try await context.runtime.retryDeliveries(postgres: context.postgres, destination: destination,
                                                              document: query["document"])
        return JSONBody.response("{\"destination\":\(JSONBody.string(destination)),\"retried\":\(count)}")
    }

    @Sendable func replayDeadLetters(_ request: Request, _: BasicRequestContext) async throws -> Response {
        let query = try QueryParameters(request, allowed: ["since", "reason", "dryRun"])
        let replay = DeadLetterReplayRequest(
            since: try query["since"].map { try OperatorInput.instant($0, parameter: "since", now: now()) },
            reason: query["reason"], dryRun: try OperatorInput.flag(query.flag("dryRun"), parameter: "dryRun"))
        return JSONBody.response(try await context.runtime.replayDeadLetters(replay).json)
    }

    /// While the sampler finds Postgres unreachable, answer 503 at once: the client's pool
    /// would otherwise hold the request until a connection comes back.
    private func requirePostgres() throws {
        if let problem = context.monitor.health.current.postgresProblem {
            throw AdminAPIError(status: .serviceUnavailable, message: "Postgres unreachable: \(problem)")
        }
    }
}
