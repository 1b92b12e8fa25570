import PostgresStore

/// A flush's Postgres work: one transaction per shard (per group of shards past
/// `maximumTransactions`), side by side on their own connections.
///
/// Exactly once holds for each transaction alone: a shard meters only its own partitions, so a
/// transaction's batch holds exactly the deltas of the events that its partitions' offsets move
/// past, and those commit together or not at all (DESIGN §5: "any shard's transaction"). Nothing
/// ties one transaction to another, so they need not commit together: after a failure or a crash
/// between their commits, the partitions whose transaction committed resume after it, the others
/// before it, and a reader sees every event once either way. Side by side, a flush takes as many
/// Postgres backends as transactions instead of one (a COPY is one backend's work): the flush at
/// the end of a burst, which the idle shards wait for, ran on one core of two (`odometer bench`,
/// flush ÷ (e), medians of three A/B rounds: 0.72–0.80 in one transaction, 0.87–0.93 in one per shard).
///
/// Every transaction runs to its end even when another fails, so none is cut off in the middle
/// of its COPY; then the first failure is thrown (the pipeline ends, and its successor resumes
/// each partition from what Postgres holds).
enum ShardTransactions {
    /// One transaction's shards and the batch of their deltas.
    struct Part: Sendable {
        var shards: [Int]
        var batch: FlushBatch
    }

    /// Connections a flush takes at most; shards beyond it share transactions. More backends than
    /// the database host has cores would only queue on them, and the pool is shared with the
    /// compactor, claims and the admin API.
    static let maximumTransactions = 4

    /// The writing shards (or anything of theirs, in shard order) dealt into at most
    /// `maximumTransactions` groups.
    static func groups<Shard>(of shards: [Shard]) -> [[Shard]] {
        let count = min(shards.count, maximumTransactions)
        guard count > 0 else { return [] }
        var groups = [[Shard]](repeating: [], count: count)
        for (index, shard) in shards.enumerated() { groups[index % count].append(shard) }
        return groups
    }

    /// Commits every part, each in its own transaction through `writer`, with the hooks
    /// `hooks` gives for its shards; throws the first failure once all have ended.
    static func commit(_ parts: [Part], writer: TotalsFlushWriter,
                       hooks: @escaping @Sendable (_ shards: [Int]) -> FlushHooks) async throws {
        let failures = await withTaskGroup(of: (any Error)?.self) { group in
            for part in parts {
                group.addTask {
                    do {
                        try await writer.flush(part.batch, hooks: hooks(part.shards))
                        return nil
                    } catch {
                        return error
                    }
                }
            }
            var failures: [any Error] = []
            for await case let failure? in group { failures.append(failure) }
            return failures
        }
        if let first = failures.first { throw first }
    }
}
