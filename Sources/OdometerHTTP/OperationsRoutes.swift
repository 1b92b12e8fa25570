import Hummingbird
import OdometerService

/// The routes without a token (DESIGN §10): liveness, readiness, Prometheus metrics and the
/// status page. None of them changes anything, and none shows a secret.
struct OperationsRoutes {
    let status: ServeStatus
    /// The Prometheus text exposition of every metric.
    let metrics: @Sendable () -> String
    let scrubber: SecretScrubber

    func register(on router: Router<BasicRequestContext>) {
        router.get("healthz") { _, _ in JSONBody.response(JSONBody.object(["status": "ok"])) }
        router.get("readyz", use: readiness)
        router.get("metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: ResponseBody(byteBuffer: ByteBuffer(string: metrics())))
        }
        router.get("/", use: statusPage)
    }

    /// 200 `{"ready":true}` when consuming; 503 `{"ready":false,"reason":"…","reasons":[…]}` otherwise.
    @Sendable func readiness(_: Request, _: BasicRequestContext) async throws -> Response {
        let readiness = status.monitor.health.readiness
        guard !readiness.isReady else { return JSONBody.response("{\"ready\":true}") }
        let reasons = readiness.reasons.map(scrubber.scrub)
        return JSONBody.response(
            "{\"ready\":false,\"reason\":\(JSONBody.string(reasons.joined(separator: "; "))),"
                + "\"reasons\":\(JSONBody.array(reasons.map(JSONBody.string)))}",
            status: .serviceUnavailable)
    }

    @Sendable func statusPage(_: Request, _: BasicRequestContext) async throws -> Response {
        let html = scrubber.scrub(StatusPage(snapshot: status.snapshot()).html)
        return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }
}
