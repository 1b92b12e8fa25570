import AsyncHTTPClient
import Foundation
import NIOCore

/// Plain HTTP calls for tests that talk to a running `serve` or to chromedriver.
public enum HTTPProbe {
    public struct Answer: Sendable {
        public var status: Int
        public var body: String
        public var contentType: String?
    }

    /// One request with an optional JSON body; throws only when no answer came.
    public static func call(_ url: String, method: String = "GET", json: String? = nil, headers: [String: String] = [:],
                            timeout: Duration = .seconds(30)) async throws -> Answer {
        var request = HTTPClientRequest(url: url)
        request.method = .init(rawValue: method)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: json))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .milliseconds(Int64(timeout.components.seconds * 1000)))
        let body = try await response.body.collect(upTo: 64 << 20)
        return Answer(status: Int(response.status.code), body: String(buffer: body),
                      contentType: response.headers.first(name: "Content-Type"))
    }

    /// Polls `url` until `accept` says yes or `timeout` passes; returns the last answer (nil if none came).
    public static func poll(_ url: String, timeout: Duration, every pause: Duration = .milliseconds(250),
                            until accept: (Answer) -> Bool) async -> Answer? {
        let deadline = ContinuousClock.now + timeout
        var last: Answer?
        while ContinuousClock.now < deadline {
            if let answer = try? await call(url, timeout: .seconds(5)) {
                last = answer
                if accept(answer) { return answer }
            }
            try? await Task.sleep(for: pause)
        }
        return last
    }
}
