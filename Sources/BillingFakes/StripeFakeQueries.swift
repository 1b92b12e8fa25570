/// What tests read back from the fake Stripe: what was created, duplicates, requests received.
extension StripeFake {
    /// Every invoice item, oldest first.
    public func items() -> [StripeFakeItem] {
        state.withLock { $0.ledger.items }
    }

    /// How many invoice items carry each `metadata[line_key]`: more than one is double billing.
    public func itemCountsByLineKey() -> [String: Int] {
        var counts: [String: Int] = [:]
        for item in items() { counts[item.metadata["line_key"] ?? "", default: 0] += 1 }
        return counts
    }

    /// The line keys billed more than once, and how often: empty when nothing was billed twice.
    public func duplicateLineKeys() -> [String: Int] {
        itemCountsByLineKey().filter { $0.value > 1 }
    }

    /// Every meter event, by identifier.
    public func meterEvents() -> [String: StripeFakeMeterEvent] {
        state.withLock { $0.ledger.meterEvents }
    }

    /// Requests received per route (`POST /v1/invoiceitems`), faulted ones included.
    public func requestCount(_ route: String) -> Int {
        state.withLock { $0.requestCounts[route] ?? 0 }
    }

    /// How many of each random fault were drawn.
    public func faultsDrawn() -> [RandomFault: Int] {
        state.withLock { $0.dice?.drawn ?? [:] }
    }
}
