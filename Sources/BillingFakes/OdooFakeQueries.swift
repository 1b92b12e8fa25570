/// What tests read back from the fake: the invoices created, duplicates, calls received.
extension OdooFake {
    /// Every invoice in the database (drafts, posted, cancelled), oldest first.
    public func invoices() -> [OdooFakeInvoice] {
        state.withLock { $0.database.invoiceSnapshots }
    }

    /// How many live (not cancelled) customer invoices carry each ref.
    public func invoiceCountsByRef() -> [String: Int] {
        var counts: [String: Int] = [:]
        for invoice in invoices() where invoice.state != "cancel" { counts[invoice.ref ?? "", default: 0] += 1 }
        return counts
    }

    /// The refs with more than one live invoice, and their counts: empty when nothing was billed twice.
    public func duplicateRefs() -> [String: Int] {
        invoiceCountsByRef().filter { $0.value > 1 }
    }

    /// How many HTTP requests arrived per protocol: `"jsonrpc"` or `"json2"`.
    public func requestCount(protocol name: String) -> Int {
        state.withLock { $0.requestCounts[name] ?? 0 }
    }

    /// How many ORM calls of `model.method` arrived (including faulted ones).
    public func callCount(model: String, method: String) -> Int {
        state.withLock { $0.callCounts["\(model).\(method)"] ?? 0 }
    }

    /// The external id (`module.name`) pointing at each invoice id.
    public func externalIDs() -> [String: Int] {
        state.withLock { state in
            Dictionary(state.database.externalIDs.values.map { ("\($0.module).\($0.name)", $0.resID) },
                       uniquingKeysWith: { first, _ in first })
        }
    }
}
