/// Dedup on (source, id) for the partitions of one shard (DESIGN §5): exact within `window` of
/// Kafka append time, one `DedupTable` per partition, since a partition is metered in order by
/// one shard and its window can be rebuilt from its own log.
///
/// A copy is recognised only in the partition of its original, which holds when producers key
/// messages by subject (the topic's contract) or by anything else stable per event.
///
/// Memory cap: when the tables' bytes pass `memoryLimitBytes` (checked at each table's growth
/// and every 1,024 new ids), the oldest generation of every partition is forgotten, until 90% of
/// the cap is left; `forgottenEarly` counts those ids, and the window is then shorter than
/// configured until the rate drops. The cap counts the tables' real bytes (21–27 per id with
/// their fill), so `dedupMemory` bounds the memory itself, not an estimate of it.
///
/// Owned by one shard thread: not thread-safe. Allocates only when a table grows or is swept.
public final class DedupFilter {
    public let window: Duration
    /// The length of a generation in milliseconds: an eighth of the window.
    public let spanMilliseconds: Int64
    public let memoryLimitBytes: Int
    /// Unchecked: read twice per event (`prefetch`, `check`), and checked accesses cost ~3% of a
    /// shard's time in `bench`'s (d) (`swift_beginAccess`); the filter is owned by one thread,
    /// and no access to `tables` overlaps another (none is held across a call out).
    @exclusivity(unchecked) private var tables: [DedupTable?] = []
    /// Ids forgotten before their window ended, because of the memory cap.
    public private(set) var forgottenEarly = 0

    /// Bytes per remembered id at a table's usual fill (16-byte slots, 60–75% full), for
    /// sizing the cap: `dedupMemory` ÷ this is about how many ids a full window holds.
    public static let bytesPerId = 24

    public init(window: Duration, memoryLimitBytes: Int) {
        self.window = window
        spanMilliseconds = Self.generationMilliseconds(window: window)
        self.memoryLimitBytes = max(1024 * Self.bytesPerId, memoryLimitBytes)
    }

    /// The length of one generation of a `window`: an eighth of it, in milliseconds.
    public static func generationMilliseconds(window: Duration) -> Int64 {
        let milliseconds = window.components.seconds * 1000 + window.components.attoseconds / 1_000_000_000_000_000
        return max(1, milliseconds / DedupTable.windowGenerations)
    }

    /// The verdict on an event of `partition` appended at `appendMilliseconds` (Unix time).
    @inline(__always)
    public func check(_ fingerprint: EventFingerprint, partition: Int32, appendMilliseconds: Int64) -> DedupVerdict {
        let index = Int(partition)
        makeRoom(for: index)
        let table: DedupTable
        if let existing = tables[index] {
            table = existing
        } else {
            table = DedupTable()
            tables[index] = table
        }
        let capacity = table.capacity
        let verdict = table.check(fingerprint, generation: appendMilliseconds / spanMilliseconds)
        if verdict == .first, table.count & 1023 == 0 || table.capacity != capacity, memoryBytes > memoryLimitBytes {
            enforceCap()
        }
        return verdict
    }

    /// Starts loading what `check` of `fingerprint` in `partition` reads first, without waiting:
    /// the window is far larger than the CPU's caches, so a check that follows other work (the
    /// next event's decoding) finds its slot cached instead of stalling on memory.
    @inline(__always)
    public func prefetch(_ fingerprint: EventFingerprint, partition: Int32) {
        let index = Int(partition)
        guard index < tables.count, let table = tables[index] else { return }
        table.prefetch(fingerprint.key)
    }

    /// Forgets a partition's window (it was revoked, or is read again from its log), and sizes
    /// its new table for `expectedIds` (the messages its log holds from the window's start), as
    /// far as the cap leaves room: a table that grows a quarter at a time re-inserts every id
    /// about four times on its way to a full window, and maps and populates its pages each time.
    public func reset(partition: Int32, expectedIds: Int = 0) {
        let index = Int(partition)
        makeRoom(for: index)
        tables[index] = nil
        let room = (capTarget - memoryBytes) / DedupTable.slotBytes
        let capacity = min(DedupTable.capacity(holding: expectedIds), room)
        if capacity > DedupTable.minimumCapacity { tables[index] = DedupTable(capacity: capacity) }
    }

    /// A slot in `tables` for partition index `index`.
    @inline(__always)
    private func makeRoom(for index: Int) {
        if index >= tables.count { tables.append(contentsOf: repeatElement(nil, count: index + 1 - tables.count)) }
    }

    /// What the tables are brought back under once past the cap, and what sizing ahead may fill: 90% of it.
    private var capTarget: Int { memoryLimitBytes / 10 * 9 }

    public var rememberedIds: Int { tables.reduce(0) { $0 + ($1?.count ?? 0) } }
    public var memoryBytes: Int { tables.reduce(0) { $0 + ($1?.bytes ?? 0) } }

    /// Gives back the room of tables sized ahead for more ids than they hold, then forgets the
    /// oldest generations everywhere until the tables fit in 90% of the cap.
    private func enforceCap() {
        for case let table? in tables { table.shrinkToFit() }
        while memoryBytes > capTarget {
            guard let oldest = tables.compactMap({ $0?.oldestGeneration }).min() else { return }
            for case let table? in tables { forgottenEarly += table.forget(olderThanOrIn: oldest) }
        }
    }
}
