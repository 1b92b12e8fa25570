import BillingFakes
import Foundation
import OdometerTestSupport
import Testing

/// The status page of a running `serve`, opened in headless Chromium (WebDriver): it refreshes
/// itself, and the figures it shows are the ones counted here. Saves a screenshot to
/// `$ODOMETER_SCREENSHOT_DIR` (default: the temporary directory).
@Suite(.serialized) struct StatusPageBrowserTests {
    /// What the page shows, read in the browser through the `data-figure` and `data-field` attributes.
    static let readFigures = """
        const text = (selector) => { const node = document.querySelector(selector); return node ? node.textContent.trim() : null; };
        return {
          takenAt: document.body.dataset.takenAt,
          readiness: text('[data-figure="readiness"]'),
          metered: text('[data-figure="events-metered"]'),
          high: text('tr[data-partition="2"] [data-field="high"]'),
          committed: text('tr[data-partition="2"] [data-field="committed"]'),
          lag: text('tr[data-partition="2"] [data-field="lag"]'),
          unknownType: text('tr[data-reason="unknown_type"] [data-field="count"]'),
          badTime: text('tr[data-reason="bad_time"] [data-field="count"]'),
          openPeriod: text('tr[data-period="2026-10"] td'),
          delivered: text('tr[data-destination="odoo"] [data-field="delivered"]'),
          title: document.title
        };
        """

    /// September is metered, closed and delivered to an Odoo fake; October stays open; some
    /// events are invalid. `ODOMETER_STATUS_PAGE_SOAK_SECONDS` (default 0) adds a steady stream
    /// of October events for that long before the screenshot, so the charts have a shape (the
    /// screenshot in docs/ was taken so).
    @Test func theStatusPageInARealBrowserShowsWhatWasMetered() async throws {
        let soak = ProcessInfo.processInfo.environment["ODOMETER_STATUS_PAGE_SOAK_SECONDS"].flatMap(Int.init) ?? 0
        let odoo = OdooFake()
        odoo.seedDemo(partnerRefs: ServeFixture.accounts, meters: ["api_calls", "api_tokens"])
        let odooURL = try await odoo.start()
        defer { Task { await odoo.stop() } }
        try await ServeFixture.with { fixture in
            let config = try fixture.config(named: "browser", odoo: (odooURL, odoo.validApiKey))
            #expect(try await fixture.cli.run(["migrate", "--config", config]).status == 0)
            try fixture.produce(fixture.known.apiRequests(1_000, month: "2026-09") + fixture.known.apiRequests(3_000)
                                + fixture.known.pageViews(11) + fixture.known.badTimes(2))
            let serve = try await fixture.startServe(config: config)
            let browser = try await BrowserSession.start()
            do {
                try await fixture.waitUntilMetered()
                let close = try await fixture.cli.run(["close", "--period", "2026-09", "--force", "--config", config])
                #expect(close.status == 0, "\(close.error)")
                var metered = 4_000
                if soak > 0 {
                    // Screenshot while events still flow, then let the stream stop for the exact checks.
                    let flowing = Task { () -> Int in
                        var produced = 0
                        let end = ContinuousClock.now + .seconds(soak)
                        var batch = 0
                        while !Task.isCancelled {
                            let size = ContinuousClock.now < end ? 400 + 300 * (batch % 4) : 500
                            try fixture.produce(fixture.known.apiRequests(size, firstID: 10_000 + produced))
                            produced += size
                            batch += 1
                            try? await Task.sleep(for: .seconds(2))
                        }
                        return produced
                    }
                    try await Task.sleep(for: .seconds(soak))
                    try await browser.open(fixture.base + "/")
                    try await Task.sleep(for: .seconds(StatusPageScreenshot.settle))
                    try StatusPageScreenshot.save(try await browser.screenshot())
                    flowing.cancel()
                    metered += try await flowing.value
                }
                try await fixture.waitUntilMetered()
                let high = try #require(fixture.watermarks("usage")[2]).high   // read from Kafka here
                try await browser.open(fixture.base + "/")
                let first = try #require(try await browser.evaluate(Self.readFigures) as? [String: Any])
                #expect((first["title"] as? String)?.contains("Odometer") == true)

                // Wait for the page's own refresh to bring figures that cover everything produced.
                let expected: [String: String] = [
                    "metered": Self.grouped(Int64(metered)), "lag": "0", "openPeriod": "2026-10",
                    "delivered": String(ServeFixture.accounts.count),
                ]
                var figures = first
                let deadline = ContinuousClock.now + .seconds(60)
                var refreshed = false
                while ContinuousClock.now < deadline {
                    try await Task.sleep(for: .seconds(1))
                    guard let now = try await browser.evaluate(Self.readFigures) as? [String: Any] else { continue }
                    if now["takenAt"] as? String != first["takenAt"] as? String { refreshed = true }
                    figures = now
                    if refreshed, expected.allSatisfy({ now[$0.key] as? String == $0.value }) { break }
                }
                #expect(refreshed, "the page never reloaded itself")
                #expect(figures["readiness"] as? String == "Ready")
                #expect(figures["metered"] as? String == expected["metered"])
                #expect(figures["high"] as? String == Self.grouped(high))
                #expect(figures["committed"] as? String == Self.grouped(high))
                #expect(figures["lag"] as? String == "0")
                #expect(figures["unknownType"] as? String == "11")
                #expect(figures["badTime"] as? String == "2")
                #expect(figures["openPeriod"] as? String == "2026-10")
                // One Odoo invoice per account for September, delivered by the running relay.
                #expect(figures["delivered"] as? String == expected["delivered"])
                #expect(odoo.invoices().count == ServeFixture.accounts.count)

                if soak == 0 { try StatusPageScreenshot.save(try await browser.screenshot()) }
            } catch {
                await browser.close()
                _ = await serve.terminate()
                throw error
            }
            await browser.close()
            let stopped = await serve.terminate()
            #expect(stopped.status == 0, "serve: \(stopped.error.suffix(3000))")
        }
    }

    /// `12345` → `12,345`, written here rather than taken from the page's formatter.
    static func grouped(_ value: Int64) -> String {
        var digits = Array(String(value))
        var index = digits.count - 3
        while index > 0 {
            digits.insert(",", at: index)
            index -= 3
        }
        return String(digits)
    }
}

/// Where the browser test puts its screenshot: `$ODOMETER_SCREENSHOT_DIR/status-page.png`
/// (default: the temporary directory).
enum StatusPageScreenshot {
    /// Seconds to let a freshly opened page render before the picture.
    static let settle = 2

    static func save(_ png: Data) throws {
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]), "not a PNG")
        let directory = ProcessInfo.processInfo.environment["ODOMETER_SCREENSHOT_DIR"]
            .map { URL(fileURLWithPath: $0) } ?? FileManager.default.temporaryDirectory
        let file = directory.appendingPathComponent("status-page.png")
        try png.write(to: file)
        print("status page screenshot: \(file.path)")
    }
}
