import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// Serves one fake's endpoint over real HTTP on 127.0.0.1 with a port the OS picks.
///
/// Owned by one fake, which starts it once and stops it once. The running application is a
/// service group in a task; stopping shuts it down gracefully, then cancels it, which wakes any
/// response held back by a delay fault. A response marked `dropConnection` closes its connection instead of
/// answering, so the client sees the connection reset after the fake applied the request.
/// Immutable after start, so thread-safe.
final class FakeHTTPServer: Sendable {
    private let task: Task<Void, any Error>
    private let group: ServiceGroup
    let baseURL: String

    private init(task: Task<Void, any Error>, group: ServiceGroup, baseURL: String) {
        self.task = task
        self.group = group
        self.baseURL = baseURL
    }

    static func start(name: String,
                      handler: @escaping @Sendable (FakeHTTPRequest) async -> FakeHTTPResponse) async throws -> FakeHTTPServer {
        let responder = CallbackResponder<FakeRequestContext> { request, context in
            let body = try await request.body.collect(upTo: 64 * 1024 * 1024)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            let exchange = FakeHTTPRequest(method: request.method.rawValue, path: request.uri.path,
                                           query: request.uri.query ?? "", headers: headers,
                                           body: Array(body.readableBytesView))
            let reply = await handler(exchange)
            if let delay = reply.delay { try await Task.sleep(for: delay) }
            if reply.dropConnection {
                try? await context.channel.close()
                throw FakeConnectionDropped()
            }
            var responseHeaders: HTTPFields = [.contentType: reply.contentType]
            if let seconds = reply.retryAfterSeconds { responseHeaders[.retryAfter] = String(seconds) }
            for (name, value) in reply.headers {
                if let field = HTTPFields.Element.Name(name) { responseHeaders[field] = value }
            }
            return Response(status: .init(code: reply.status), headers: responseHeaders,
                            body: .init(byteBuffer: ByteBuffer(bytes: reply.body)))
        }
        var logger = Logger(label: "odometer.fake.\(name)")
        logger.logLevel = .critical
        let (ports, portSink) = AsyncStream.makeStream(of: Int?.self)
        let application = Application(
            responder: responder,
            configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "\(name)-fake"),
            onServerRunning: { channel in
                portSink.yield(channel.localAddress?.port)
                portSink.finish()
            },
            logger: logger)
        let group = ServiceGroup(configuration: .init(services: [.init(service: application)], logger: logger))
        let task = Task { try await group.run() }
        guard let first = await ports.first(where: { _ in true }), let port = first else {
            task.cancel()
            throw FakeStartError.noPort(name)
        }
        return FakeHTTPServer(task: task, group: group, baseURL: "http://127.0.0.1:\(port)")
    }

    /// Shuts down gracefully (open connections are finished, not torn down mid-write, which
    /// NIO's debug checks trap on), and cancels after a moment so a response held back by a
    /// delay fault does not keep the fake alive.
    func stop() async {
        await group.triggerGracefulShutdown()
        let task = self.task
        let deadline = Task {
            try await Task.sleep(for: .seconds(2))
            task.cancel()
        }
        _ = await task.result
        deadline.cancel()
    }
}

/// Hummingbird's request context plus the connection, so a fault can drop it.
struct FakeRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}

/// Thrown after a fake closed the connection on purpose; the client never sees it.
struct FakeConnectionDropped: Error {}

/// A fake could not start listening.
public enum FakeStartError: Error, CustomStringConvertible {
    case noPort(String)

    public var description: String {
        switch self {
        case .noPort(let name):
            "the \(name) fake could not bind 127.0.0.1 on a free port: check that loopback networking is available"
        }
    }
}

/// The one server a fake runs at a time: started on demand (a second start returns the same
/// URL), stopped once. Thread-safe behind a mutex; owned by its fake.
final class FakeServerSlot: Sendable {
    private let server = Mutex<FakeHTTPServer?>(nil)

    func start(name: String,
               handler: @escaping @Sendable (FakeHTTPRequest) async -> FakeHTTPResponse) async throws -> String {
        if let running = server.withLock({ $0 }) { return running.baseURL }
        let started = try await FakeHTTPServer.start(name: name, handler: handler)
        server.withLock { $0 = started }
        return started.baseURL
    }

    func stop() async {
        let running = server.withLock { current in
            defer { current = nil }
            return current
        }
        await running?.stop()
    }
}
