/// Where tests stop, fail or crash a flush's transaction (`TotalsFlushWriter.flush`), and where
/// `Failpoints` act.
///
/// A value made by one factory per hook, rather than closure parameters of `flush` or of an
/// initializer: with two closure parameters of the same type, an unlabeled trailing closure
/// binds to the first of them (Swift's forward scan). So it did: from 6fe26a8 the `beforeCommit`
/// hook that `flush`'s callers meant ran as `whileCopying`, in the middle of the first COPY, and
/// never for a flush without rows.
public struct FlushHooks: Sendable {
    /// Runs in the middle of the first COPY, after its first chunk (tests stop a flush there).
    public private(set) var whileCopying: @Sendable () async throws -> Void = {}
    /// Runs inside the transaction after every statement, just before the commit; throwing
    /// rolls the flush back.
    public private(set) var beforeCommit: @Sendable () async throws -> Void = {}

    private init() {}

    /// No hook.
    public static let none = FlushHooks()

    /// `hook` in the middle of the first COPY.
    public static func whileCopying(_ hook: @escaping @Sendable () async throws -> Void) -> FlushHooks {
        var hooks = FlushHooks()
        hooks.whileCopying = hook
        return hooks
    }

    /// `hook` after every statement, just before the commit.
    public static func beforeCommit(_ hook: @escaping @Sendable () async throws -> Void) -> FlushHooks {
        var hooks = FlushHooks()
        hooks.beforeCommit = hook
        return hooks
    }
}
