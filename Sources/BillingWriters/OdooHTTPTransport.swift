import AsyncHTTPClient
import MeteringCore

/// Posts JSON bodies to Odoo through its gate and turns transport failures into
/// `OdooError.outcomeUnknown` (the call may have committed, which is why the writer searches
/// before it creates again) and a closed gate into `OdooError.paused` (nothing was sent).
/// Immutable, thread-safe.
struct OdooHTTPTransport: Sendable {
    typealias Response = PacedHTTP.Response

    let http: PacedHTTP

    init(http: PacedHTTP) {
        self.http = http
    }

    /// A transport that no gate paces (raw clients in tests and tools).
    init(client: HTTPClient, timeout: Duration) {
        self.http = PacedHTTP(client: client, timeout: timeout, pacer: UnpacedCalls())
    }

    func post(_ url: String, headers: [(String, String)], body: [UInt8]) async throws(OdooError) -> Response {
        do {
            return try await http.send(.POST, url, headers: [("Content-Type", "application/json"),
                                                             ("Accept", "application/json")] + headers, body: body)
        } catch {
            switch error {
            case .gateClosed(let reopensIn): throw .paused(reopensIn: reopensIn)
            case .unknownOutcome(let reason): throw .outcomeUnknown(reason: "Odoo: \(reason)", retryAfter: nil)
            }
        }
    }
}

/// Lets every call through at once: for raw clients that no relay drives.
struct UnpacedCalls: CallPacer {
    func admit() async throws(GateClosed) {}
    func record(_ result: DeliveryCallResult) async {}
    func claimableIn() async -> Duration? { nil }
}
