public import Foundation
public import Hummingbird
public import Logging
public import OdometerService
public import ServiceLifecycle

/// The admin HTTP server of `serve` (DESIGN §10): a Hummingbird application, run as one
/// service of `serve`'s service group (it stops when the group shuts it down, after the
/// pipeline and the relays). `router` is also what the router tests drive, without a socket.
public struct AdminServer: Service {
    private let application: Application<RouterResponder<BasicRequestContext>>

    /// - Parameters:
    ///   - settings: checked with `AdminHTTPSettings` before the service group starts.
    ///   - metrics: the Prometheus text of every metric (see `PrometheusBackend`).
    ///   - now: the wall clock, for `since` durations.
    public init(settings: AdminHTTPSettings, context: ServeContext, metrics: @escaping @Sendable () -> String,
                now: @escaping @Sendable () -> Date = Date.init, logger: Logger) {
        let router = Self.router(settings: settings, context: context, metrics: metrics, now: now)
        application = Application(
            router: router,
            configuration: .init(address: .hostname(settings.listen.host, port: settings.listen.port),
                                 serverName: "odometer"),
            onServerRunning: { channel in
                logger.notice("admin HTTP listening", metadata: ["address": "\(channel.localAddress.map { "\($0)" } ?? "?")"])
            },
            logger: logger)
        if settings.token == nil {
            logger.notice("`http.token` is not set: the /v1 admin routes answer 401 to every request")
        }
    }

    public func run() async throws {
        try await application.run()
    }

    /// Every route, with the JSON error middleware outermost and the token check on `/v1`.
    public static func router(settings: AdminHTTPSettings, context: ServeContext,
                              metrics: @escaping @Sendable () -> String,
                              now: @escaping @Sendable () -> Date = Date.init) -> Router<BasicRequestContext> {
        let scrubber = SecretScrubber(configuration: context.runtime.configuration)
        let router = Router()
        router.add(middleware: JSONErrorMiddleware(scrubber: scrubber))
        OperationsRoutes(status: context.status, metrics: metrics, scrubber: scrubber).register(on: router)
        let api = router.group("v1").add(middleware: BearerTokenMiddleware(token: settings.token))
        AdminAPIRoutes(context: context, now: now).register(on: api)
        return router
    }
}
