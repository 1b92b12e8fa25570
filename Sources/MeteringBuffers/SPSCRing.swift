import Synchronization

/// A bounded single-producer, single-consumer ring of values, lock-free.
///
/// One thread pushes, one other thread pops; neither ever blocks or allocates. The producer
/// publishes slots with a releasing store of `tail` after writing them; the consumer releases
/// slots with a releasing store of `head` after reading them; each side reads the other's
/// index with an acquiring load. Batch operations publish once per batch, so the atomic cost
/// is per batch, not per element. Capacity is a power of two. Push and pop are O(n) in the
/// number of elements moved.
public final class SPSCRing<Element>: @unchecked Sendable {
    // @unchecked Sendable is safe: `storage` slots are only touched by the side that owns them
    // at that moment. A slot in [head, tail) belongs to the consumer, every other slot to the
    // producer; ownership moves only through the acquire/release pairs on `head` and `tail`,
    // and only one thread plays each side (the documented contract of this type).
    private let storage: UnsafeMutablePointer<Element>
    public let capacity: Int
    private let mask: Int
    private let head = Atomic<Int>(0)   // next slot to read; written by the consumer
    private let tail = Atomic<Int>(0)   // next slot to write; written by the producer

    public init(capacity requested: Int) {
        precondition(requested > 0, "ring capacity must be positive")
        var size = 1
        while size < requested { size <<= 1 }
        capacity = size
        mask = size - 1
        storage = .allocate(capacity: size)
    }

    deinit {
        let start = head.load(ordering: .acquiring)
        let end = tail.load(ordering: .acquiring)
        var index = start
        while index != end {
            (storage + (index & mask)).deinitialize(count: 1)
            index &+= 1
        }
        storage.deallocate()
    }

    /// Producer side: pushes as many of `elements` as fit; returns how many were pushed.
    public func push(contentsOf elements: UnsafeBufferPointer<Element>) -> Int {
        let end = tail.load(ordering: .relaxed)
        let start = head.load(ordering: .acquiring)
        let free = capacity - (end &- start)
        let count = min(free, elements.count)
        guard count > 0 else { return 0 }
        for offset in 0..<count {
            (storage + ((end &+ offset) & mask)).initialize(to: elements[offset])
        }
        tail.store(end &+ count, ordering: .releasing)
        return count
    }

    /// Producer side: pushes one element if there is room.
    public func push(_ element: Element) -> Bool {
        let end = tail.load(ordering: .relaxed)
        guard end &- head.load(ordering: .acquiring) < capacity else { return false }
        (storage + (end & mask)).initialize(to: element)
        tail.store(end &+ 1, ordering: .releasing)
        return true
    }

    /// Consumer side: moves up to `buffer.count` elements into `buffer`; returns how many.
    public func pop(into buffer: UnsafeMutableBufferPointer<Element>) -> Int {
        let start = head.load(ordering: .relaxed)
        let end = tail.load(ordering: .acquiring)
        let count = min(end &- start, buffer.count)
        guard count > 0 else { return 0 }
        for offset in 0..<count {
            (buffer.baseAddress! + offset).initialize(to: (storage + ((start &+ offset) & mask)).move())
        }
        head.store(start &+ count, ordering: .releasing)
        return count
    }

    /// Elements waiting, as seen from either side (a snapshot).
    public var count: Int { tail.load(ordering: .acquiring) &- head.load(ordering: .acquiring) }

    public var isEmpty: Bool { count == 0 }
}
