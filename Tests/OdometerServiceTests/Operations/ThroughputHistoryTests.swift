@testable import OdometerService
import Testing

@Suite struct ThroughputHistoryTests {
    let start = ContinuousClock.Instant.now

    @Test func ratesAreTheCountsDifferenceOverTheInterval() {
        var history = ThroughputHistory(capacity: 10)
        #expect(history.current == nil)
        history.record(metered: 0, at: start)
        history.record(metered: 500, at: start.advanced(by: .seconds(5)))
        history.record(metered: 2_000, at: start.advanced(by: .seconds(10)))
        #expect(history.rates == [.init(secondsAgo: 5, eventsPerSecond: 100), .init(secondsAgo: 0, eventsPerSecond: 300)])
        #expect(history.current == 300)
        #expect(history.average(over: .seconds(60)) == 200)
        #expect(history.average(over: .seconds(5)) == 300)
    }

    @Test func theRingKeepsOnlyTheNewestSamples() {
        var history = ThroughputHistory(capacity: 3)
        for step in 0..<6 { history.record(metered: step * step * 10, at: start.advanced(by: .seconds(step))) }
        // Kept: steps 3, 4, 5 → counts 90, 160, 250.
        #expect(history.rates.map(\.eventsPerSecond) == [70, 90])
        #expect(history.span == .seconds(2))
    }
}
