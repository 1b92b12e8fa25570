public import MeteringCore
import Synchronization

/// The accounts every shard buckets events with (DESIGN §5: accounts are shared state). `serve`
/// replaces the directory when an import or the configuration changes; each shard notices the
/// new version between two batches (one atomic load per batch, never per event) and uses it for
/// the events it meters from then on. Thread-safe.
public final class AccountBook: Sendable {
    private let current: Mutex<AccountDirectory>
    private let versionCounter = Atomic<Int>(0)

    public init(_ directory: AccountDirectory) {
        current = Mutex(directory)
    }

    /// Increases with every replacement.
    public var version: Int { versionCounter.load(ordering: .acquiring) }

    public var directory: AccountDirectory { current.withLock { $0 } }

    public func replace(with directory: AccountDirectory) {
        current.withLock { $0 = directory }
        versionCounter.add(1, ordering: .releasing)
    }
}
