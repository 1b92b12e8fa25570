import Hummingbird
import Logging
import OdometerService

/// Turns every error of a route (and of routing itself: 404, 405) into `{"error": "…"}` with
/// its status, secrets removed. Server faults are logged, also scrubbed.
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let scrubber: SecretScrubber

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let answer = AdminAPIError.from(error)
            if answer.status == .internalServerError {
                context.logger.error("admin request failed", metadata: [
                    "path": "\(request.uri.path)", "error": "\(scrubber.scrub(String(describing: error)))"])
            }
            return JSONBody.response(JSONBody.object(["error": scrubber.scrub(answer.message)]), status: answer.status)
        }
    }
}
