public import Foundation
import PostgresStore

/// A headless Chromium driven through chromedriver's WebDriver API (Debian's `chromium` and
/// `chromium-driver`): opens pages, runs a script in them, takes screenshots. Tests that need
/// it fail with `Missing` when a binary is absent; deploy/setup-debian.sh installs both.
public final class BrowserSession: @unchecked Sendable {
    // @unchecked Sendable is safe: the fields are set in `start` and never change; the driver
    // process is only terminated in `close`, which a test calls once.
    public static let chromium = "/usr/bin/chromium"
    public static let driver = "/usr/bin/chromedriver"

    public struct Missing: Error, CustomStringConvertible {
        public var path: String
        public var description: String {
            "\(path) not found: install Debian's chromium and chromium-driver packages (deploy/setup-debian.sh does)"
        }
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    private let process: Process
    private let base: String

    private init(process: Process, base: String) {
        self.process = process
        self.base = base
    }

    /// Starts chromedriver on a free loopback port and a headless Chromium session of `width`×`height`.
    public static func start(width: Int = 1440, height: Int = 1340) async throws -> BrowserSession {
        for path in [chromium, driver] where !FileManager.default.isExecutableFile(atPath: path) { throw Missing(path: path) }
        let port = try FreeLoopbackPort.next()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: driver)
        process.arguments = ["--port=\(port)", "--allowed-ips=127.0.0.1"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let root = "http://127.0.0.1:\(port)"
        guard await HTTPProbe.poll(root + "/status", timeout: .seconds(20), until: { $0.status == 200 }) != nil else {
            process.terminate()
            throw Failure(description: "chromedriver did not answer on port \(port)")
        }
        let capabilities = """
            {"capabilities":{"alwaysMatch":{"browserName":"chrome","goog:chromeOptions":{"binary":"\(chromium)",\
            "args":["--headless=new","--no-sandbox","--disable-gpu","--disable-dev-shm-usage","--hide-scrollbars",\
            "--window-size=\(width),\(height)"]}}}}
            """
        let created = try await HTTPProbe.call(root + "/session", method: "POST", json: capabilities, timeout: .seconds(60))
        guard let value = Self.value(created.body) as? [String: Any], let id = value["sessionId"] as? String else {
            process.terminate()
            throw Failure(description: "chromedriver did not create a session: \(created.body.prefix(500))")
        }
        return BrowserSession(process: process, base: "\(root)/session/\(id)")
    }

    /// Navigates to `url` and waits for the page to load.
    public func open(_ url: String) async throws {
        try await command("/url", json: "{\"url\":\(Self.quoted(url))}")
    }

    /// Runs `script` (a function body; `return` gives the result) in the page; its JSON result.
    public func evaluate(_ script: String) async throws -> Any? {
        try await command("/execute/sync", json: "{\"script\":\(Self.quoted(script)),\"args\":[]}")
    }

    /// A PNG of the window.
    public func screenshot() async throws -> Data {
        guard let base64 = try await command("/screenshot", method: "GET") as? String, let png = Data(base64Encoded: base64) else {
            throw Failure(description: "chromedriver returned no screenshot")
        }
        return png
    }

    /// Ends the session and chromedriver (and with it Chromium): SIGTERM, then SIGKILL after 5 s.
    /// Polls rather than `waitUntilExit`, which spins a run loop on the calling thread.
    public func close() async {
        _ = try? await HTTPProbe.call(base, method: "DELETE", timeout: .seconds(20))
        process.terminate()
        let deadline = ContinuousClock.now + .seconds(5)
        while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    @discardableResult
    private func command(_ path: String, method: String = "POST", json: String? = nil) async throws -> Any? {
        let answer = try await HTTPProbe.call(base + path, method: method, json: json ?? (method == "POST" ? "{}" : nil),
                                              timeout: .seconds(60))
        guard answer.status == 200 else { throw Failure(description: "WebDriver \(path): \(answer.status) \(answer.body.prefix(500))") }
        return Self.value(answer.body)
    }

    /// The `value` member of a WebDriver answer.
    private static func value(_ body: String) -> Any? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] else { return nil }
        return object["value"].flatMap { $0 is NSNull ? nil : $0 }
    }

    private static func quoted(_ text: String) -> String {
        let data = try! JSONSerialization.data(withJSONObject: [text])
        return String(decoding: data.dropFirst().dropLast(), as: UTF8.self)
    }
}
