import Foundation

/// Deliberate faults at named points of the flush, so tests can prove that exactly once holds
/// exactly there: a crash (`kill -9` of the process) or a failure inside a flush's transaction,
/// after its writes and before its commit. Off unless configured.
///
/// A child `odometer serve` takes them from `ODOMETER_FAILPOINTS`, comma-separated:
/// - `kill-before-commit:N`: SIGKILL the process inside the N-th flush, in the first of its
///   shards' transactions to reach its commit (the others may have committed already);
/// - `fail-before-commit:N:S`: fail shard S's transaction in the N-th flush (it rolls back, the
///   other shards' transactions of that flush commit, and the pipeline ends).
public struct Failpoints: Sendable {
    /// Runs once per shard in its transaction of the flush (`ShardTransactions`), after its
    /// writes, before its commit, with the flush's number (from 1) and the shard's index;
    /// throwing rolls that transaction back.
    public var beforeShardCommit: @Sendable (_ flush: Int, _ shard: Int) async throws -> Void

    public init(beforeShardCommit: @escaping @Sendable (_ flush: Int, _ shard: Int) async throws -> Void = { _, _ in }) {
        self.beforeShardCommit = beforeShardCommit
    }

    public static let none = Failpoints()

    /// Parses a specification such as `kill-before-commit:3`; an empty one is `none`.
    public init(specification: String) throws {
        var kills: Set<Int> = []
        var failures: Set<[Int]> = []
        for entry in specification.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !entry.isEmpty {
            let parts = entry.split(separator: ":").map(String.init)
            let numbers = parts.dropFirst().compactMap(Int.init)
            switch (parts.first, numbers.count, parts.count) {
            case ("kill-before-commit", 1, 2): kills.insert(numbers[0])
            case ("fail-before-commit", 2, 3): failures.insert(numbers)
            default: throw OdometerFailure.user("ODOMETER_FAILPOINTS: `\(entry)` is not `kill-before-commit:N` or `fail-before-commit:N:S`")
            }
        }
        let (killing, failing) = (kills, failures)
        self.init { flush, shard in
            if killing.contains(flush) { kill(getpid(), SIGKILL) }
            if failing.contains([flush, shard]) { throw FailpointError(flush: flush, shard: shard) }
        }
    }

    /// From the environment (`ODOMETER_FAILPOINTS`).
    public static func fromEnvironment() throws -> Failpoints {
        try Failpoints(specification: ProcessInfo.processInfo.environment["ODOMETER_FAILPOINTS"] ?? "")
    }
}

/// The failure a failpoint injects.
public struct FailpointError: Error, CustomStringConvertible, Equatable {
    public var flush: Int
    public var shard: Int

    public init(flush: Int, shard: Int) {
        self.flush = flush
        self.shard = shard
    }

    public var description: String { "failpoint: shard \(shard)'s transaction in flush \(flush) fails before its commit" }
}
