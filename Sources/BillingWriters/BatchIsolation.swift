/// Runs an all-or-nothing remote operation on a batch and pins each rejection on one item.
///
/// Odoo's `create` of a list is one transaction: one bad invoice rolls back the whole batch.
/// When the destination rejects a batch permanently (a `ValidationError`, a `UserError`), the
/// batch is split in halves until every rejection belongs to one item; the good halves go
/// through. Transient errors (unknown outcome, serialization failure) propagate untouched, so the
/// caller re-runs from its search. About `2·log2(n)` extra calls per bad item. Stateless.
enum BatchIsolation {
    struct Verdict<Item, Success> {
        var succeeded: [Success] = []
        var rejected: [(item: Item, error: OdooError)] = []
    }

    static func run<Item, Success>(
        _ items: [Item],
        operation: ([Item]) async throws(OdooError) -> [Success]
    ) async throws(OdooError) -> Verdict<Item, Success> {
        guard !items.isEmpty else { return Verdict() }
        do {
            return Verdict(succeeded: try await operation(items))
        } catch let error where isItemRejection(error) {
            guard items.count > 1 else { return Verdict(rejected: [(items[0], error)]) }
            let middle = items.count / 2
            let first = try await run(Array(items[..<middle]), operation: operation)
            let second = try await run(Array(items[middle...]), operation: operation)
            return Verdict(succeeded: first.succeeded + second.succeeded, rejected: first.rejected + second.rejected)
        }
    }

    /// A permanent error Odoo raised about the data sent, as opposed to the key, the URL or the
    /// network: only those can belong to one item of the batch.
    private static func isItemRejection(_ error: OdooError) -> Bool {
        if case .remote = error { return !error.isTransient }
        return false
    }
}
