import Foundation
import Synchronization

/// An in-process Odoo for tests and `odometer demo`: JSON-RPC and JSON-2 on one loopback port,
/// following shared/contracts/odoo.md, with seed data, injectable faults and a view of every
/// invoice created.
///
/// Thread-safe: all state sits behind one mutex, and every ORM call runs as one all-or-nothing
/// transaction on a copy of the database. Owned by the test (or the demo) that started it, which
/// must call `stop()`.
public final class OdooFake: Sendable {
    struct State: Sendable {
        var database = OdooFakeDatabase()
        var faults = OdooFakeFaults()
        var apiKey: String
        var callCounts: [String: Int] = [:]
        var requestCounts: [String: Int] = [:]
        var servesJSON2 = true
        var dice: FaultDice?
    }

    public let database: String
    public let login: String
    /// The user id `login` answers for the valid key.
    public let uid = 2
    let state: Mutex<State>
    private let server = FakeServerSlot()

    /// A fresh Odoo with the company currency USD (2 decimals) and Odoo 16–18 precision
    /// (`price_unit` and `quantity` rounded to 2 decimals on write).
    public init(database: String = "odometer", login: String = "billing-bot", apiKey: String = "odoo-fake-key") {
        self.database = database
        self.login = login
        var initial = State(apiKey: apiKey)
        initial.database.seedDefaults()
        state = Mutex(initial)
    }

    /// The key `login` and JSON-2 accept, until `expireKey()`.
    public var validApiKey: String { state.withLock { $0.apiKey } }

    /// Starts listening on 127.0.0.1 and a free port; returns the base URL (`http://127.0.0.1:PORT`).
    /// Calling it again while running starts nothing new and returns the same URL.
    public func start() async throws -> String {
        try await server.start(name: "odoo") { [self] request in OdooFakeEndpoint.handle(request, fake: self) }
    }

    public func stop() async {
        await server.stop()
    }

    func mutate<Result>(_ body: (inout OdooFakeDatabase) -> Result) -> Result {
        state.withLock { body(&$0.database) }
    }

    // MARK: Serving (used by the endpoint)

    /// Counts a request; false when its protocol is switched off.
    func admit(protocol name: String) -> Bool {
        state.withLock { state in
            state.requestCounts[name, default: 0] += 1
            return name != "json2" || state.servesJSON2
        }
    }

    /// The uid for a good login, or `nil` (which `login` answers as `false`).
    func authenticate(database: String?, login: String?, key: String?) -> Int? {
        state.withLock { state in
            database == self.database && login == self.login && key == state.apiKey && !state.faults.keyExpired
        } ? uid : nil
    }

    func authenticate(database: String?, uid: Int?, key: String?) -> Bool {
        state.withLock { state in
            database == self.database && (uid ?? self.uid) == self.uid && key == state.apiKey && !state.faults.keyExpired
        }
    }

    enum RunFailure: Error {
        case serverError(OdooFakeFaults.ServerError)
        case exception(OdooFakeException)
    }

    /// Runs one ORM call as one transaction, after the armed faults have had their say.
    func run(_ call: FakeCall) -> Result<(value: FakeJSON, delay: Duration?, answerLost: Bool), RunFailure> {
        state.withLock { state in
            state.callCounts["\(call.model).\(call.method)", default: 0] += 1
            let random = state.dice?.roll()
            switch random {
            case .serverError?: return .failure(.serverError(.init(status: 503, retryAfterSeconds: nil)))
            case .rateLimited?: return .failure(.serverError(.init(status: 429, retryAfterSeconds: nil)))
            case .appliedAnswerLost?, nil: break
            }
            let plan = state.faults.plan(model: call.model, method: call.method)
            if let error = plan.serverError { return .failure(.serverError(error)) }
            if plan.serializationFailure { return .failure(.exception(.serializationFailure)) }
            var transaction = state.database
            do throws(OdooFakeException) {
                let value = try transaction.execute(call)
                state.database = transaction
                return .success((value, plan.delayAfterCommit, random == .appliedAnswerLost))
            } catch {
                return .failure(.exception(error))
            }
        }
    }
}
