import BillingFakes
import Foundation
import MeteringCore
import Testing
@testable import BillingWriters

/// Lines per second each writer delivers to its fake answering at once (no faults, no rate
/// limit): what the writers cost, apart from the destinations' documented limits. Printed, never
/// asserted on (timing depends on the machine). `ODOMETER_MEASURE_LINES` sets the size (default 2,000).
@Suite(.serialized) struct DeliveryThroughputTests {
    static var lines: Int { Int(ProcessInfo.processInfo.environment["ODOMETER_MEASURE_LINES"] ?? "") ?? 2_000 }

    static func report(_ destination: String, lines: Int, batch: Int, elapsed: Duration) {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("throughput: \(destination) \(lines) lines in batches of \(batch): \(String(format: "%.2f", seconds)) s = "
              + "\(Int(Double(lines) / seconds)) lines/s")
    }

    @Test func stripeLinesPerSecond() async throws {
        let count = Self.lines
        try await StripeWriterTests.run(customers: count) { fake, url in
            let writer = StripeWriterTests.writer(fake, url, pacer: LineTestBed.openGate(rate: 1_000_000))
            let documents = (0..<count).map { LineTestBed.line($0, destination: "stripe") }
            let started = ContinuousClock.now
            for start in stride(from: 0, to: count, by: 100) {
                _ = await writer.deliver(Array(documents[start..<min(start + 100, count)]))
            }
            Self.report("stripe", lines: count, batch: 100, elapsed: started.duration(to: .now))
            #expect(fake.items().count == count)
        }
    }

    @Test func lagoLinesPerSecond() async throws {
        let count = Self.lines
        try await LagoWriterTests.run { fake, url in
            let writer = LagoWriterTests.writer(fake, url)
            let documents = (0..<count).map { LineTestBed.line($0, destination: "lago") }
            let started = ContinuousClock.now
            for start in stride(from: 0, to: count, by: 100) {
                _ = await writer.deliver(Array(documents[start..<min(start + 100, count)]))
            }
            Self.report("lago", lines: count, batch: 100, elapsed: started.duration(to: .now))
            #expect(fake.events().count == count)
        }
    }

    @Test func odooLinesPerSecond() async throws {
        let invoices = Self.lines / 3
        let fake = OdooFake()
        fake.seedDemo(partnerRefs: (0..<invoices).map { "ref-\($0)" }, meters: ["api_calls", "api_tokens", "storage_gb"])
        let url = try await fake.start()
        let writer = OdooWriter(destination: OdooDestination(url: url, database: fake.database, login: fake.login,
                                                             apiKey: fake.validApiKey),
                                pacer: LineTestBed.openGate(rate: 1_000_000), logger: LineTestBed.quietLogger)
        let documents = (0..<invoices).map { index in
            invoice("acct-\(index)", ref: "ref-\(index)",
                    lines: [("api_calls", "1.25"), ("api_tokens", "0.50"), ("storage_gb", "7.00")])
        }
        let started = ContinuousClock.now
        for start in stride(from: 0, to: invoices, by: 50) {
            _ = await writer.deliver(Array(documents[start..<min(start + 50, invoices)]))
        }
        Self.report("odoo (3 lines per invoice)", lines: invoices * 3, batch: 50, elapsed: started.duration(to: .now))
        #expect(fake.invoices().count == invoices)
        await fake.stop()
    }
}
