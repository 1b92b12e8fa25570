import Foundation
import Synchronization

/// An in-process Stripe for tests and `odometer demo`, on one loopback port, following
/// shared/contracts/stripe.md: invoice items and meter events from nested form bodies, an
/// idempotency store that replays (`Idempotent-Replayed: true`), refuses a key reused with
/// other parameters and answers 409 to a request racing one in flight; 429s ahead of that
/// store; stored 500s; the duplicate-identifier 400; the meter-event timestamp window and
/// 15-digit limit; and injectable faults, random or armed.
///
/// Thread-safe: all state sits behind one mutex. Owned by the test (or the demo) that
/// started it, which must call `stop()`.
public final class StripeFake: Sendable {
    struct State: Sendable {
        var ledger = StripeFakeLedger()
        var apiKey: String
        var dice: FaultDice?
        var rateLimitedRequests = 0
        var lostAnswers = 0
        var storedServerErrors: [String: Bool] = [:]
        var requestCounts: [String: Int] = [:]
        var processingDelay: Duration?
    }

    let state: Mutex<State>
    /// The fake's clock, Unix seconds (meter-event timestamps are checked against it).
    let now: @Sendable () -> Int64
    private let server = FakeServerSlot()

    /// - Parameter now: the fake's clock in Unix seconds; the system clock by default.
    public init(apiKey: String = "sk_test_fake", now: (@Sendable () -> Int64)? = nil) {
        state = Mutex(State(apiKey: apiKey))
        self.now = now ?? { Int64(Date().timeIntervalSince1970) }
    }

    /// The secret key the fake accepts.
    public var validApiKey: String { state.withLock { $0.apiKey } }

    /// Starts listening on 127.0.0.1 and a free port; returns the base URL. Idempotent.
    public func start() async throws -> String {
        try await server.start(name: "stripe") { [self] request in await StripeFakeEndpoint.handle(request, fake: self) }
    }

    public func stop() async {
        await server.stop()
    }

    // MARK: Seeding and faults

    /// Customers that exist; an item for any other gets `No such customer`. `currency`
    /// (lower case) fixes the customer's currency as if it had been billed before.
    public func addCustomers(_ ids: [String], currency: String? = nil) {
        state.withLock { state in for id in ids { state.ledger.customers[id] = .some(currency) } }
    }

    /// Random faults on every request from now on (`nil` stops them).
    public func injectRandomFaults(_ faults: RandomFaults?) {
        state.withLock { $0.dice = faults.map(FaultDice.init) }
    }

    /// The next `count` requests are answered 429 (ahead of the idempotency layer).
    public func rateLimitNext(_ count: Int) {
        state.withLock { $0.rateLimitedRequests += count }
    }

    /// The next `count` requests are applied and their answers lost (the connection drops).
    public func loseAnswersOfNext(_ count: Int) {
        state.withLock { $0.lostAnswers += count }
    }

    /// The first request that posts the invoice item with `metadata[line_key] == lineKey`
    /// begins executing and fails with a 500 that Stripe stores under its idempotency key and
    /// replays from then on; with `afterCreating` the item exists anyway.
    public func failWithStoredServerError(lineKey: String, afterCreating: Bool = false) {
        state.withLock { $0.storedServerErrors[lineKey] = afterCreating }
    }

    /// Every request holds its idempotency key this long before executing, so a second request
    /// with the same key meanwhile gets the in-flight 409.
    public func slowDownProcessing(by delay: Duration?) {
        state.withLock { $0.processingDelay = delay }
    }
}
