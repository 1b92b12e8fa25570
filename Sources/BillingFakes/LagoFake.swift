import Foundation
import Synchronization

/// An in-process Lago for tests and `odometer demo`, on one loopback port, following
/// shared/contracts/lago.md: bearer auth, `POST /api/v1/events/batch` (at most 100 events, all
/// or nothing, index-keyed 422s, per-subscription `transaction_id` uniqueness answered as a
/// 422 or a silent 200), `GET /api/v1/events/{transaction_id}`, 429 with the X-RateLimit
/// headers and no `Retry-After`, and injectable faults: 5xx, "applied, answer lost", refused
/// events, an old version that drops `precise_total_amount_cents`.
///
/// Thread-safe: all state sits behind one mutex. Owned by the test (or the demo) that
/// started it, which must call `stop()`.
public final class LagoFake: Sendable {
    struct State: Sendable {
        var ledger = LagoFakeLedger()
        var apiKey: String
        var dice: FaultDice?
        var rateLimitedRequests = 0
        var lostAnswers = 0
        var rateLimitResetSeconds = 1
        var requestCounts: [String: Int] = [:]
    }

    let state: Mutex<State>
    private let server = FakeServerSlot()

    public init(apiKey: String = "lago-fake-key") {
        state = Mutex(State(apiKey: apiKey))
    }

    public var validApiKey: String { state.withLock { $0.apiKey } }

    /// Starts listening on 127.0.0.1 and a free port; returns the base URL. Idempotent.
    public func start() async throws -> String {
        try await server.start(name: "lago") { [self] request in LagoFakeEndpoint.handle(request, fake: self) }
    }

    public func stop() async {
        await server.stop()
    }

    // MARK: Behaviour and faults

    /// How a duplicate `transaction_id` is answered (default: the 422).
    public func answerDuplicates(_ answer: LagoDuplicateAnswer) {
        state.withLock { $0.ledger.duplicateAnswer = answer }
    }

    /// Behave like a Lago whose batch endpoint drops `precise_total_amount_cents`.
    public func dropPreciseAmounts() {
        state.withLock { $0.ledger.dropsPreciseAmounts = true }
    }

    /// Every batch holding `transactionID` is refused, that event keyed by its index with
    /// these field errors, e.g. `["code": ["metric_not_found"]]`.
    public func refuseEvent(transactionID: String, errors: [String: [String]]) {
        state.withLock { $0.ledger.refusals[transactionID] = errors }
    }

    /// Random faults on every request from now on (`nil` stops them).
    public func injectRandomFaults(_ faults: RandomFaults?) {
        state.withLock { $0.dice = faults.map(FaultDice.init) }
    }

    /// The next `count` requests are applied and their answers lost (the connection drops).
    public func loseAnswersOfNext(_ count: Int) {
        state.withLock { $0.lostAnswers += count }
    }

    /// The next `count` requests are answered 429 with `X-RateLimit-Reset: resetSeconds`.
    public func rateLimitNext(_ count: Int, resetSeconds: Int = 1) {
        state.withLock {
            $0.rateLimitedRequests += count
            $0.rateLimitResetSeconds = resetSeconds
        }
    }

    /// The `X-RateLimit-Reset` every 429 carries (random ones included).
    public func setRateLimitReset(seconds: Int) {
        state.withLock { $0.rateLimitResetSeconds = seconds }
    }

    // MARK: Queries

    /// Every stored event, oldest first.
    public func events() -> [LagoFakeEvent] {
        state.withLock { state in state.ledger.order.compactMap { state.ledger.events[$0] } }
    }

    /// How many times each transaction id arrived again after it was stored (and was dropped).
    public func duplicatesReceived() -> [String: Int] {
        state.withLock { $0.ledger.duplicatesReceived }
    }

    /// Requests received per route (`POST /api/v1/events/batch`, `GET /api/v1/events`).
    public func requestCount(_ route: String) -> Int {
        state.withLock { $0.requestCounts[route] ?? 0 }
    }

    /// How many of each random fault were drawn.
    public func faultsDrawn() -> [RandomFault: Int] {
        state.withLock { $0.dice?.drawn ?? [:] }
    }
}
