import CacheHints

/// The ids one partition remembers for the dedup window: an open-addressing table (linear
/// probing, at most 3/4 full) of 16-byte slots. The capacity is any size (a slot's home is the
/// high half of key × capacity), so the table grows by a quarter at a time and is 60–75% full:
/// about 24 bytes per id, where doubling a power of two left it 37–75% full (32.8 measured).
///
/// Time is counted in *generations*: a generation is `span` (one eighth of the window) of
/// Kafka append time. A slot keeps the generation its event arrived in; an id is within the
/// window while its age is at most `windowGenerations` (so every copy appended within the
/// window after the first is caught, and ids live at most window + span). When a partition's
/// append time enters a new generation, expired slots are swept (the table is rebuilt from the
/// live ones): O(capacity) once per span.
///
/// Memory: 16 bytes per slot, so 21–27 bytes per remembered id depending on fill, mapped from
/// the kernel and given back at once when the table is rebuilt (`PageMemory`). Owned by one
/// shard thread: not thread-safe.
final class DedupTable {
    struct Slot {
        var key: UInt64            // 0 = empty
        var tag: UInt64            // check (32) | payload fingerprint (24) | generation (8)
    }

    static let windowGenerations: Int64 = 8
    static let minimumCapacity = 1024
    static let slotBytes = MemoryLayout<Slot>.stride

    private(set) var slots: UnsafeMutablePointer<Slot>
    private(set) var capacity: Int
    private(set) var count = 0
    /// The newest generation seen (an absolute generation number).
    private(set) var newest: Int64 = .min
    /// Remembered ids by generation, indexed by the generation's low 8 bits.
    private var byGeneration: UnsafeMutablePointer<Int>

    /// A table rebuilt or grown holds its live ids at this fill (a growth is then by a quarter).
    private static let rebuiltFill = 0.6
    /// A table sized ahead for a number of ids holds them at this fill, just below the growth
    /// threshold (3/4), so the ids it was sized for fit with room for a few more.
    private static let reservedFill = 0.7

    /// The capacity that holds `ids` at `reservedFill`.
    static func capacity(holding ids: Int) -> Int { Int((Double(max(0, ids)) / reservedFill).rounded(.up)) }

    init(capacity: Int = minimumCapacity) {
        self.capacity = max(capacity, Self.minimumCapacity)
        slots = PageMemory.allocateZeroed(Slot.self, capacity: self.capacity)
        byGeneration = .allocate(capacity: 256)
        byGeneration.initialize(repeating: 0, count: 256)
    }

    deinit {
        PageMemory.release(slots, capacity: capacity)
        byGeneration.deallocate()
    }

    var bytes: Int { capacity * MemoryLayout<Slot>.stride }

    /// Checks `fingerprint`, appended in `generation`, against the window and remembers it if new.
    /// Append times only move forward here: a message appended in an older generation than one
    /// before it (producer timestamps) counts in the newer one, so its copies are still caught.
    @inline(__always)
    func check(_ fingerprint: EventFingerprint, generation appended: Int64) -> DedupVerdict {
        if appended > newest { advance(to: appended) }
        let generation = newest
        let tag = UInt64(fingerprint.check) << 32 | UInt64(fingerprint.payload) << 8 | UInt64(UInt8(truncatingIfNeeded: generation))
        var index = home(of: fingerprint.key)
        while true {
            let slot = slots[index]
            if slot.key == 0 { break }
            if slot.key == fingerprint.key && slot.tag >> 32 == tag >> 32 {
                let stored = UInt8(truncatingIfNeeded: slot.tag)
                if age(of: stored) <= Self.windowGenerations {
                    return (slot.tag >> 8) & 0xFF_FFFF == UInt64(fingerprint.payload) ? .duplicate : .conflict
                }
                // Remembered from before the window (not swept yet): a new first copy.
                byGeneration[Int(stored)] &-= 1
                byGeneration[Int(UInt8(truncatingIfNeeded: generation))] &+= 1
                slots[index].tag = tag
                return .first
            }
            index = probe(after: index)
        }
        slots[index] = Slot(key: fingerprint.key, tag: tag)
        count &+= 1
        byGeneration[Int(UInt8(truncatingIfNeeded: generation))] &+= 1
        if count &* 4 > capacity &* 3 { rebuild(keepingAge: .max) }
        return .first
    }

    /// Starts loading the slot `key`'s probe begins at, so a `check` soon after finds it cached.
    @inline(__always)
    func prefetch(_ key: UInt64) {
        cache_prefetch(slots + home(of: key))
    }

    /// The slot a key's probe starts at: the high half of key × capacity (uniform for hashed keys).
    @inline(__always)
    private func home(of key: UInt64) -> Int {
        Int(truncatingIfNeeded: key.multipliedFullWidth(by: UInt64(capacity)).high)
    }

    /// The next slot of a probe, wrapping at the end.
    @inline(__always)
    private func probe(after index: Int) -> Int {
        index &+ 1 == capacity ? 0 : index &+ 1
    }

    /// How many generations before the newest one `stored` (a generation's low 8 bits) is.
    @inline(__always)
    private func age(of stored: UInt8) -> Int64 {
        Int64(UInt8(truncatingIfNeeded: newest) &- stored)
    }

    /// The oldest generation that still holds ids (absolute), or nil when empty.
    var oldestGeneration: Int64? {
        guard count > 0 else { return nil }
        for age in stride(from: Int64(255), through: 0, by: -1) where byGeneration[Int(UInt8(truncatingIfNeeded: newest - age))] > 0 {
            return newest - age
        }
        return nil
    }

    /// Forgets every id of generation `generation` or older; returns how many.
    @discardableResult
    func forget(olderThanOrIn generation: Int64) -> Int {
        let before = count
        rebuild(keepingAge: max(-1, newest - generation - 1))
        return before - count
    }

    /// Rebuilds a table less full than a rebuilt one (it was sized ahead for more ids than came)
    /// at the usual fill, giving the rest of its memory back.
    func shrinkToFit() {
        if Double(count) < Double(capacity) * Self.rebuiltFill * 0.9, capacity > Self.minimumCapacity {
            rebuild(keepingAge: .max)
        }
    }

    /// A new generation began: forget what fell out of the window. A gap of 256 generations or
    /// more (an idle partition) would alias the 8-bit generations, so it forgets everything.
    private func advance(to generation: Int64) {
        let gap = newest == .min ? Int64.max : generation - newest
        newest = generation
        if gap >= 256 {
            if count > 0 { rebuild(keepingAge: -1) }
        } else if count > 0 {
            rebuild(keepingAge: Self.windowGenerations)
        }
    }

    /// Rebuilds the table with the ids at most `keepingAge` generations old, `rebuiltFill` full
    /// (so it grows by a quarter when it was full, and shrinks after a sweep).
    private func rebuild(keepingAge: Int64) {
        var live = 0
        for age in 0...255 where Int64(age) <= keepingAge { live += byGeneration[Int(UInt8(truncatingIfNeeded: newest - Int64(age)))] }
        let newCapacity = max(Int((Double(live) / Self.rebuiltFill).rounded(.up)), Self.minimumCapacity)
        let old = slots
        let oldCapacity = capacity
        slots = PageMemory.allocateZeroed(Slot.self, capacity: newCapacity)
        capacity = newCapacity
        count = 0
        for generation in 0..<256 { byGeneration[generation] = 0 }
        for position in 0..<oldCapacity {
            let slot = old[position]
            guard slot.key != 0 else { continue }
            let stored = UInt8(truncatingIfNeeded: slot.tag)
            guard age(of: stored) <= keepingAge else { continue }
            var index = home(of: slot.key)
            while slots[index].key != 0 { index = probe(after: index) }
            slots[index] = slot
            count += 1
            byGeneration[Int(stored)] += 1
        }
        PageMemory.release(old, capacity: oldCapacity)
    }
}
