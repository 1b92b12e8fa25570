import MeteringWorkload
import Testing
@testable import MeteringCore

@Suite struct DedupFilterTests {
    static let hour: Int64 = 3_600_000
    let start: Int64 = 1_790_000_000_000

    func fingerprint(source: String = "api", id: String, payload: String = "{}") -> EventFingerprint {
        var source = source
        var id = id
        var payload = payload
        return source.withUTF8 { sourceBytes in
            id.withUTF8 { idBytes in
                payload.withUTF8 { payloadBytes in
                    EventFingerprint(sourceHash: EventFingerprint.attributeHash(UnsafeRawBufferPointer(sourceBytes)),
                                     idHash: EventFingerprint.attributeHash(UnsafeRawBufferPointer(idBytes)),
                                     payload: UnsafeRawBufferPointer(payloadBytes))
                }
            }
        }
    }

    @Test func aCopyWithTheSamePayloadIsADuplicateAndAChangedOneAConflict() {
        let filter = DedupFilter(window: .seconds(3600), memoryLimitBytes: 1 << 20)
        #expect(filter.check(fingerprint(id: "e1", payload: "a"), partition: 0, appendMilliseconds: start) == .first)
        #expect(filter.check(fingerprint(id: "e1", payload: "a"), partition: 0, appendMilliseconds: start + 5) == .duplicate)
        #expect(filter.check(fingerprint(id: "e1", payload: "b"), partition: 0, appendMilliseconds: start + 9) == .conflict)
        // The identity is the pair: another source, or another split of the same bytes, is new.
        #expect(filter.check(fingerprint(source: "web", id: "e1", payload: "a"), partition: 0, appendMilliseconds: start) == .first)
        #expect(filter.check(fingerprint(source: "ap", id: "ie1", payload: "a"), partition: 0, appendMilliseconds: start) == .first)
    }

    @Test func aCopyAtTheWindowsEdgeIsCaughtAndNoneLongAfter() {
        // Copies appended exactly one window after their originals (the edge) are still caught.
        let late = DedupFilter(window: .seconds(3600), memoryLimitBytes: 1 << 24)
        for index in 0..<1000 {
            _ = late.check(fingerprint(id: "x\(index)"), partition: 0, appendMilliseconds: start + Int64(index))
        }
        for index in 0..<1000 {
            let verdict = late.check(fingerprint(id: "x\(index)"), partition: 0,
                                     appendMilliseconds: start + Int64(index) + Self.hour)
            #expect(verdict == .duplicate, "copy \(index) at the window's edge")
        }
        // Two windows later they are forgotten: a copy then is a new event.
        #expect(late.check(fingerprint(id: "x5"), partition: 0, appendMilliseconds: start + 2 * Self.hour + Self.hour / 4) == .first)
    }

    @Test func copiesArrivingAtRandomWithinTheWindowAreAllCaught() {
        let filter = DedupFilter(window: .seconds(600), memoryLimitBytes: 1 << 24)
        let window: Int64 = 600_000
        // Arrival order is append order: build (time, id) events, originals and copies, sorted.
        var random = SplitMix64(seed: 11)
        var arrivals: [(time: Int64, id: Int, copy: Bool)] = []
        for id in 0..<30_000 {
            let time = start + Int64(random.next() % UInt64(3 * window))
            arrivals.append((time, id, false))
            if id % 3 == 0 { arrivals.append((time + Int64(random.next() % UInt64(window + 1)), id, true)) }
        }
        arrivals.sort { ($0.time, $0.copy ? 1 : 0) < ($1.time, $1.copy ? 1 : 0) }
        var firsts = 0
        var duplicates = 0
        for arrival in arrivals {
            switch filter.check(fingerprint(id: "r\(arrival.id)"), partition: 1, appendMilliseconds: arrival.time) {
            case .first:
                firsts += 1
                #expect(!arrival.copy, "copy of \(arrival.id) not caught")
            case .duplicate:
                duplicates += 1
                #expect(arrival.copy, "unique event \(arrival.id) dropped")
            case .conflict:
                Issue.record("no payload changed")
            }
        }
        #expect(firsts == 30_000 && duplicates == 10_000)
    }

    @Test func partitionsHaveTheirOwnWindowsAndAResetForgetsOne() {
        let filter = DedupFilter(window: .seconds(3600), memoryLimitBytes: 1 << 20)
        #expect(filter.check(fingerprint(id: "p"), partition: 0, appendMilliseconds: start) == .first)
        #expect(filter.check(fingerprint(id: "p"), partition: 1, appendMilliseconds: start) == .first)
        filter.reset(partition: 0)
        #expect(filter.check(fingerprint(id: "p"), partition: 0, appendMilliseconds: start + 1) == .first)
        #expect(filter.check(fingerprint(id: "p"), partition: 1, appendMilliseconds: start + 1) == .duplicate)
    }

    @Test func manyUniqueIdsAreNeverTakenForDuplicates() {
        let filter = DedupFilter(window: .seconds(3600), memoryLimitBytes: 1 << 26)
        for index in 0..<300_000 {
            let verdict = filter.check(fingerprint(id: "evt-\(index)"), partition: Int32(index % 4),
                                       appendMilliseconds: start + Int64(index / 100))
            if verdict != .first { Issue.record("unique event \(index) got \(verdict)"); return }
        }
        #expect(filter.rememberedIds == 300_000)
        let perId = Double(filter.memoryBytes) / Double(filter.rememberedIds)
        #expect(perId <= 27, "bytes per remembered id: \(perId)")   // 16-byte slots, 60–75% full
    }

    @Test func pastTheMemoryCapTheOldestIdsAreForgottenEarlyAndCounted() {
        // Room for about 50,000 ids.
        let limit = 50_000 * DedupFilter.bytesPerId
        let filter = DedupFilter(window: .seconds(3600), memoryLimitBytes: limit)
        var largest = 0
        for index in 0..<120_000 {
            let verdict = filter.check(fingerprint(id: "c\(index)"), partition: 0,
                                       appendMilliseconds: start + Int64(index) * 20)   // 40 minutes in all
            #expect(verdict == .first)
            largest = max(largest, filter.memoryBytes)
        }
        #expect(filter.rememberedIds <= 50_000 + 1024)
        // The cap bounds the tables' real bytes at every moment, not ids × 24 (a table just grown
        // is 60% full: 26.7 bytes per id).
        #expect(largest <= limit, "the tables reached \(largest) bytes under a cap of \(limit)")
        #expect(filter.forgottenEarly > 0)
        #expect(filter.forgottenEarly + filter.rememberedIds == 120_000)
        // The newest ids are still remembered.
        #expect(filter.check(fingerprint(id: "c119999"), partition: 0, appendMilliseconds: start + 2_400_000) == .duplicate)
    }

    @Test func aTableSizedAheadTakesItsIdsWithoutGrowingAndStaysDense() {
        let filter = DedupFilter(window: .seconds(3600), memoryLimitBytes: 1 << 26)
        filter.reset(partition: 3, expectedIds: 40_000)
        let reserved = filter.memoryBytes
        #expect(reserved > 0 && reserved <= 40_000 * 24)
        for index in 0..<40_000 {
            let verdict = filter.check(fingerprint(id: "s\(index)"), partition: 3, appendMilliseconds: start + Int64(index))
            if verdict != .first { Issue.record("unique event \(index) got \(verdict)"); return }
        }
        #expect(filter.memoryBytes == reserved, "the table grew from \(reserved) to \(filter.memoryBytes) bytes")
        #expect(filter.check(fingerprint(id: "s0"), partition: 3, appendMilliseconds: start + 40_000) == .duplicate)
        #expect(filter.rememberedIds == 40_000)
    }

    @Test func roomSizedAheadIsGivenBackBeforeAnyIdIsForgotten() {
        // Room for about 50,000 ids; one partition expects ten million (a new group on a long log).
        let limit = 50_000 * DedupFilter.bytesPerId
        let filter = DedupFilter(window: .seconds(3600), memoryLimitBytes: limit)
        filter.reset(partition: 0, expectedIds: 10_000_000)
        #expect(filter.memoryBytes <= limit)
        var largest = 0
        for index in 0..<40_000 {
            let verdict = filter.check(fingerprint(id: "g\(index)"), partition: Int32(index % 4),
                                       appendMilliseconds: start + Int64(index))
            #expect(verdict == .first)
            largest = max(largest, filter.memoryBytes)
        }
        #expect(largest <= limit, "the tables reached \(largest) bytes under a cap of \(limit)")
        #expect(filter.forgottenEarly == 0, "ids forgotten while reserved room stood empty")
        #expect(filter.rememberedIds == 40_000)
    }

    @Test func producerTimestampsGoingBackDoNotLetACopyThrough() {
        let filter = DedupFilter(window: .seconds(3600), memoryLimitBytes: 1 << 20)
        _ = filter.check(fingerprint(id: "later"), partition: 0, appendMilliseconds: start + 2 * Self.hour)
        // An original stamped three hours before the previous message, then its copy.
        #expect(filter.check(fingerprint(id: "skewed"), partition: 0, appendMilliseconds: start - Self.hour) == .first)
        #expect(filter.check(fingerprint(id: "skewed"), partition: 0, appendMilliseconds: start - Self.hour) == .duplicate)
    }
}
