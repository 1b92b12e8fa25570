/// Faults a test arms on the fake. Each is consumed by the calls it matches, in arrival order.
extension OdooFake {
    /// `fields_get` stops showing the digits Odoo rounds to (a customized or misreporting
    /// Odoo): the writer can then only catch the rounding by reading the totals back.
    public func hidePrecisionInFieldsGet() {
        mutate { $0.reportsPrecision = false }
    }

    /// The next `times` matching calls commit, then answer only after `delay` (longer than the
    /// client's timeout: the unknown-outcome case).
    public func delayAfterCommit(model: String = "account.move", method: String = "create",
                                 by delay: Duration, times: Int = 1) {
        state.withLock { $0.faults.delaysAfterCommit.append(.init(target: .init(model: model, method: method),
                                                                  value: delay, remaining: times)) }
    }

    /// The next `times` ORM calls (matching `model`/`method` when given) answer HTTP `status`
    /// with a proxy's plain-text body (and `Retry-After` when given) and do not run.
    public func failWithServerError(status: Int = 502, model: String? = nil, method: String? = nil, times: Int = 1,
                                    retryAfterSeconds: Int? = nil) {
        let error = OdooFakeFaults.ServerError(status: status, retryAfterSeconds: retryAfterSeconds)
        state.withLock { $0.faults.serverErrors.append(.init(target: .init(model: model, method: method),
                                                             value: error, remaining: times)) }
    }

    /// The next `times` matching calls raise psycopg2's `SerializationFailure` and roll back.
    public func failWithSerializationError(model: String = "account.move", method: String = "create", times: Int = 1) {
        state.withLock { $0.faults.serializationFailures.append(.init(target: .init(model: model, method: method),
                                                                      value: (), remaining: times)) }
    }

    /// Every `account.move` create containing an invoice with this `ref` raises a
    /// ValidationError with `message`, rolling back the whole batch.
    public func rejectInvoice(ref: String, message: String) {
        mutate { $0.rejectedRefs[ref] = message }
    }

    /// Random faults on every ORM call from now on (`nil` stops them): 503 and 429 from the
    /// proxy without running the call, or the call committed and its answer lost.
    public func injectRandomFaults(_ faults: RandomFaults?) {
        state.withLock { $0.dice = faults.map(FaultDice.init) }
    }

    /// How many of each random fault were drawn.
    public func faultsDrawn() -> [RandomFault: Int] {
        state.withLock { $0.dice?.drawn ?? [:] }
    }

    /// The key stops working: `login` answers `false`, calls raise AccessDenied, JSON-2 401.
    public func expireKey() {
        state.withLock { $0.faults.keyExpired = true }
    }
}
