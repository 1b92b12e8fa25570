import AsyncHTTPClient
import NIOCore

/// Posts JSON bodies to Odoo and turns transport failures into `OdooError.outcomeUnknown`.
///
/// Owns no connection: it borrows the caller's `HTTPClient` (thread-safe). Every call is bounded
/// by the destination's timeout; past it the call may still commit in Odoo, which is why the
/// writer searches before it creates again.
struct OdooHTTPTransport: Sendable {
    struct Response: Sendable {
        var status: Int
        var body: [UInt8]
        var retryAfter: Duration?
    }

    let client: HTTPClient
    let timeout: Duration
    static let maximumBodyBytes = 64 * 1024 * 1024

    func post(_ url: String, headers: [(String, String)], body: [UInt8]) async throws(OdooError) -> Response {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(body)
        do {
            let response = try await client.execute(request, timeout: .nanoseconds(timeout.nanoseconds))
            let bytes = try await response.body.collect(upTo: Self.maximumBodyBytes)
            return Response(status: Int(response.status.code), body: Array(bytes.readableBytesView),
                            retryAfter: response.headers.first(name: "Retry-After").flatMap(Self.seconds))
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            throw .outcomeUnknown(reason: "Odoo did not answer \(url) within \(timeout); the call may have committed",
                                  retryAfter: nil)
        } catch {
            throw .outcomeUnknown(reason: "Odoo call to \(url) failed (\(error)); the call may have committed",
                                  retryAfter: nil)
        }
    }

    private static func seconds(_ header: String) -> Duration? {
        Int(header.trimmingPrefixSpaces()).map { .seconds($0) }
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}

extension String {
    fileprivate func trimmingPrefixSpaces() -> Substring {
        drop(while: { $0 == " " })
    }
}
