import Hummingbird
import Logging
import NIOCore

/// Serves ``OdooFakeEndpoint`` over real HTTP on 127.0.0.1 with a port the OS picks.
///
/// Owned by one ``OdooFake``, which starts it once and stops it once. The running application is
/// a task; stopping cancels it, which closes the listening socket and wakes any response held
/// back by a delay fault. Immutable after start, so thread-safe.
final class OdooFakeServer: Sendable {
    private let task: Task<Void, any Error>
    let baseURL: String

    private init(task: Task<Void, any Error>, baseURL: String) {
        self.task = task
        self.baseURL = baseURL
    }

    static func start(serving fake: OdooFake) async throws -> OdooFakeServer {
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            let body = try await request.body.collect(upTo: 64 * 1024 * 1024)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            let exchange = FakeHTTPRequest(method: request.method.rawValue, path: request.uri.path,
                                           headers: headers, body: Array(body.readableBytesView))
            let reply = OdooFakeEndpoint.handle(exchange, fake: fake)
            if let delay = reply.delay { try await Task.sleep(for: delay) }
            var responseHeaders: HTTPFields = [.contentType: reply.contentType]
            if let seconds = reply.retryAfterSeconds { responseHeaders[.retryAfter] = String(seconds) }
            return Response(status: .init(code: reply.status), headers: responseHeaders,
                            body: .init(byteBuffer: ByteBuffer(bytes: reply.body)))
        }
        var logger = Logger(label: "odometer.fake.odoo")
        logger.logLevel = .critical
        let (ports, portSink) = AsyncStream.makeStream(of: Int?.self)
        let application = Application(
            responder: responder,
            configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "odoo-fake"),
            onServerRunning: { channel in
                portSink.yield(channel.localAddress?.port)
                portSink.finish()
            },
            logger: logger)
        let task = Task { try await application.run() }
        guard let first = await ports.first(where: { _ in true }), let port = first else {
            task.cancel()
            throw OdooFakeStartError.noPort
        }
        return OdooFakeServer(task: task, baseURL: "http://127.0.0.1:\(port)")
    }

    func stop() async {
        task.cancel()
        _ = await task.result
    }
}

/// The fake could not start listening.
public enum OdooFakeStartError: Error, CustomStringConvertible {
    case noPort

    public var description: String {
        "the Odoo fake could not bind 127.0.0.1 on a free port: check that loopback networking is available"
    }
}
