import Foundation
import MeteringBuffers
import Testing

@Suite struct SPSCRingTests {
    @Test func aFullRingRefusesAndAnEmptyRingYieldsNothing() {
        let ring = SPSCRing<Int>(capacity: 3)
        #expect(ring.capacity == 4)
        let pushed = [1, 2, 3, 4, 5].withUnsafeBufferPointer { ring.push(contentsOf: $0) }
        #expect(pushed == 4)
        #expect(!ring.push(6))
        var out = [Int](repeating: 0, count: 8)
        let popped = out.withUnsafeMutableBufferPointer { ring.pop(into: $0) }
        #expect(popped == 4 && Array(out.prefix(4)) == [1, 2, 3, 4])
        #expect(out.withUnsafeMutableBufferPointer { ring.pop(into: $0) } == 0)
    }

    /// One producer thread, one consumer thread, a small ring: every value arrives once, in order.
    @Test func concurrentProducerAndConsumerSeeEveryValueOnceInOrder() {
        let ring = SPSCRing<Int>(capacity: 64)
        let total = 500_000
        let producer = Thread {
            var next = 0
            var batch = [Int](repeating: 0, count: 37)
            while next < total {
                let count = min(batch.count, total - next)
                for index in 0..<count { batch[index] = next + index }
                var pushed = 0
                while pushed < count {
                    let done = batch.withUnsafeBufferPointer {
                        ring.push(contentsOf: UnsafeBufferPointer(rebasing: $0[pushed..<count]))
                    }
                    pushed += done
                    if done == 0 { sched_yield() }
                }
                next += count
            }
        }
        producer.start()
        var expected = 0
        var inOrder = true
        var buffer = [Int](repeating: 0, count: 50)
        while expected < total {
            let count = buffer.withUnsafeMutableBufferPointer { ring.pop(into: $0) }
            for index in 0..<count where buffer[index] != expected + index { inOrder = false }
            expected += count
            if count == 0 { sched_yield() }
        }
        #expect(inOrder)
        #expect(expected == total)
        #expect(ring.isEmpty)
    }
}
