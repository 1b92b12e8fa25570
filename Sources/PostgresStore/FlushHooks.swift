/// Where tests stop, fail or crash a flush's transaction (`TotalsFlushWriter.flush`), and where
/// `Failpoints` act.
///
/// A value rather than closure parameters of `flush`: with two closure parameters of the same
/// type, an unlabeled trailing closure binds to the first of them (Swift's forward scan), so the
/// `beforeCommit` hook its callers meant ran as `whileCopying`, in the middle of the first COPY,
/// and never for a flush without rows (from 6fe26a8 until this type).
public struct FlushHooks: Sendable {
    /// Runs in the middle of the first COPY, after its first chunk (tests stop a flush there).
    public var whileCopying: @Sendable () async throws -> Void
    /// Runs inside the transaction after every statement, just before the commit; throwing
    /// rolls the flush back.
    public var beforeCommit: @Sendable () async throws -> Void

    public init(whileCopying: @escaping @Sendable () async throws -> Void = {},
                beforeCommit: @escaping @Sendable () async throws -> Void = {}) {
        self.whileCopying = whileCopying
        self.beforeCommit = beforeCommit
    }

    /// No hook.
    public static let none = FlushHooks()
}
