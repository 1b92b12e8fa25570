import MeteringBuffers
@testable import OdometerService
import Testing

@Suite struct MessageBacklogTests {
    @Test func drainsOldestFirstAsTheRingMakesRoom() {
        let backlog = MessageBacklog<Int>(capacity: 8)
        let ring = SPSCRing<Int>(capacity: 4)
        for value in 1...6 { backlog.append(value) }
        #expect(backlog.drain(into: ring) == 4)
        #expect(backlog.count == 2)
        var out = [Int](repeating: 0, count: 8)
        #expect(out.withUnsafeMutableBufferPointer { ring.pop(into: $0) } == 4)
        #expect(out.prefix(4) == [1, 2, 3, 4])
        #expect(backlog.drain(into: ring) == 2)
        #expect(backlog.isEmpty)
        #expect(out.withUnsafeMutableBufferPointer { ring.pop(into: $0) } == 2)
        #expect(out.prefix(2) == [5, 6])
    }

    @Test func compactsInsteadOfGrowingAndKeepsOrder() {
        let backlog = MessageBacklog<Int>(capacity: 4)
        let ring = SPSCRing<Int>(capacity: 2)
        for value in 1...4 { backlog.append(value) }
        #expect(backlog.isFull)
        #expect(backlog.drain(into: ring) == 2)   // 3 and 4 wait at the end of the storage
        backlog.append(5)                          // compacts, then appends
        backlog.append(6)
        #expect(backlog.isFull)
        var removed: [Int] = []
        backlog.removeAll { removed.append($0) }
        #expect(removed == [3, 4, 5, 6])
        #expect(backlog.isEmpty)
    }
}
