import AsyncHTTPClient
import Foundation
import MeteringCore
import NIOCore
import NIOHTTP1

/// One HTTP exchange with a billing destination, let through by its gate and reported back to
/// it: a 429 pauses the destination, a 5xx or a transport failure feeds its breaker.
///
/// Owns no connection: it borrows the caller's `HTTPClient` (thread-safe). Every call is
/// bounded by `timeout`; past it the call may still have been applied remotely, so it fails
/// with ``Failure/unknownOutcome(reason:)`` and the writer must reconcile before it creates
/// anything again (or rely on an idempotency key). Immutable, thread-safe.
struct PacedHTTP: Sendable {
    struct Response: Sendable {
        var status: Int
        /// Header names lower-cased.
        var headers: [String: String]
        var body: [UInt8]

        /// `Retry-After` in whole seconds, or Lago's `X-RateLimit-Reset` (seconds until the
        /// window resets), when present.
        var retryAfter: Duration? {
            (headers["retry-after"] ?? headers["x-ratelimit-reset"])
                .flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }.map { .seconds(max(0, $0)) }
        }
        var text: String { String(decoding: body.prefix(2000), as: UTF8.self) }
    }

    enum Failure: Error, Sendable, Equatable {
        /// The gate refused the call for this long: nothing was sent.
        case gateClosed(reopensIn: Duration)
        /// Timeout, refused, reset or dropped connection: the call may or may not have been applied.
        case unknownOutcome(reason: String)
    }

    let client: HTTPClient
    let timeout: Duration
    let pacer: any CallPacer
    static let maximumBodyBytes = 64 * 1024 * 1024

    func send(_ method: HTTPMethod, _ url: String, headers: [(String, String)],
              body: [UInt8]? = nil) async throws(Failure) -> Response {
        do {
            try await pacer.admit()
        } catch {
            throw .gateClosed(reopensIn: error.reopensIn)
        }
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(body) }
        do {
            let response = try await client.execute(request, timeout: .nanoseconds(timeout.wholeNanoseconds))
            let bytes = try await response.body.collect(upTo: Self.maximumBodyBytes)
            var fields: [String: String] = [:]
            for header in response.headers { fields[header.name.lowercased()] = header.value }
            let answer = Response(status: Int(response.status.code), headers: fields, body: Array(bytes.readableBytesView))
            switch answer.status {
            case 429: await pacer.record(.throttled(retryAfter: answer.retryAfter))
            case 500...599: await pacer.record(.failed)
            default: await pacer.record(.answered)
            }
            return answer
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            await pacer.record(.failed)
            throw .unknownOutcome(reason: "no answer from \(url) within \(timeout); the call may have been applied")
        } catch {
            await pacer.record(Task.isCancelled ? .abandoned : .failed)
            throw .unknownOutcome(reason: "the call to \(url) failed (\(error)); it may have been applied")
        }
    }
}
