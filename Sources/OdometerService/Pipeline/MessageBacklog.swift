import MeteringBuffers

/// A shard's messages that its ring could not take yet, oldest first. Bounded: the router
/// waits for the ring rather than append beyond `capacity`.
///
/// Used only by the consumer thread, which is the ring's single producer.
final class MessageBacklog<Element: BitwiseCopyable> {
    private let storage: UnsafeMutableBufferPointer<Element>
    private var head = 0
    private var tail = 0

    init(capacity: Int) {
        precondition(capacity > 0, "a backlog holds at least one message")
        storage = .allocate(capacity: capacity)
    }

    deinit { storage.deallocate() }

    var count: Int { tail - head }
    var isEmpty: Bool { tail == head }
    var isFull: Bool { count == storage.count }

    /// Appends `element`; the caller checks `isFull` first.
    func append(_ element: Element) {
        precondition(!isFull, "backlog overflow")
        if tail == storage.count {   // compact: move the waiting messages to the front
            let waiting = count
            storage.baseAddress!.update(from: storage.baseAddress! + head, count: waiting)
            head = 0
            tail = waiting
        }
        storage[tail] = element
        tail += 1
    }

    /// Pushes as many waiting messages as `ring` takes, oldest first; returns how many.
    func drain(into ring: SPSCRing<Element>) -> Int {
        guard !isEmpty else { return 0 }
        let pushed = ring.push(contentsOf: UnsafeBufferPointer(rebasing: storage[head..<tail]))
        head += pushed
        if head == tail { head = 0; tail = 0 }
        return pushed
    }

    /// Empties the backlog, handing each waiting message to `body`, oldest first.
    func removeAll(_ body: (Element) -> Void) {
        for index in head..<tail { body(storage[index]) }
        head = 0
        tail = 0
    }
}
