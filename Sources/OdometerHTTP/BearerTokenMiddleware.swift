import Hummingbird

/// Guards the `/v1` routes: `Authorization: Bearer <http.token>`, compared in constant time.
/// A missing or wrong token, or no token configured, is 401 with no detail.
struct BearerTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: String?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token, let header = request.headers[.authorization], header.hasPrefix("Bearer "),
              ConstantTime.equal(Array(header.utf8.dropFirst("Bearer ".utf8.count)), Array(token.utf8)) else {
            throw AdminAPIError.unauthorized
        }
        return try await next(request, context)
    }
}

/// Comparison whose time depends only on the length of the expected value, not on where the
/// first difference lies, so a caller cannot guess a token byte by byte.
enum ConstantTime {
    static func equal(_ given: [UInt8], _ expected: [UInt8]) -> Bool {
        var difference = UInt(bitPattern: given.count ^ expected.count)
        for index in expected.indices {
            let byte = index < given.count ? given[index] : 0
            difference |= UInt(byte ^ expected[index])
        }
        return difference == 0
    }
}
