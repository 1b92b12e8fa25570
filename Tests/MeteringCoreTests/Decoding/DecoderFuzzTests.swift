import Foundation
import Testing
@testable import MeteringCore
import MeteringWorkload

/// Random and mutated bytes must never crash or hang the decoder, and it must never accept
/// what is not valid: whatever it accepts, Foundation's JSON parser must also read as an
/// object whose attributes agree with what the decoder reports.
@Suite struct DecoderFuzzTests {
    static let seeds: [String] = [
        DecoderFixture.event(),
        DecoderFixture.event(type: "nested_usage", data: #"{"usage":{"tokens":"1.5e3","where":{"region":"eu"}},"x":[1,2,{"y":null}]}"#),
        DecoderFixture.event(type: "login", subject: #""caf\u00e9\ud83d\ude00""#, data: #"{"user":"\u00fc"}"#),
        DecoderFixture.event(type: "seat_snapshot", data: #"{"seats":12.000}"#),
        #"{"specversion":"1.0","id":"e","source":"s","type":"ping","subject":"a","time":"2026-11-05T10:00:00+05:30","extra":{"deep":[[[]]]}}"#,
    ]

    @Test(arguments: 0..<8)
    func mutatedEventsNeverCrashNorMisaccept(round: Int) throws {
        var generator = SeededGenerator(seed: UInt64(round) &* 0x9E37_79B9 &+ 17)
        let decoder = EventDecoder(catalog: DecoderFixture.catalog)
        var accepted = 0
        for _ in 0..<4_000 {
            var bytes = Array(Self.seeds.randomElement(using: &generator)!.utf8)
            for _ in 0..<Int.random(in: 1...4, using: &generator) { mutate(&bytes, using: &generator) }
            let reason = bytes.withUnsafeBytes { decoder.decode($0) }
            guard reason == nil else { continue }
            accepted += 1
            let object = try #require(
                try? JSONSerialization.jsonObject(with: Data(bytes), options: []) as? [String: Any],
                "accepted bytes Foundation cannot read: \(String(decoding: bytes, as: UTF8.self))")
            #expect(object["specversion"] as? String == "1.0")
            #expect(object["subject"] as? String == decoder.string(decoder.subject))
            #expect(object["id"] as? String == decoder.string(decoder.id))
        }
        #expect(accepted > 0)
    }

    /// A decoder recognizes the keys it saw at each place of the last events without scanning
    /// them (`PredictedKey`): whatever it saw before, it must decide every event as a fresh
    /// decoder, which has seen nothing, does.
    @Test(arguments: 0..<4)
    func aDecoderThatLearnedKeysDecidesAsAFreshOne(round: Int) {
        var generator = SeededGenerator(seed: UInt64(round) &* 0x51_7CC1 &+ 3)
        let seasoned = EventDecoder(catalog: DecoderFixture.catalog)
        var accepted = 0
        for _ in 0..<4_000 {
            var bytes = Array(Self.seeds.randomElement(using: &generator)!.utf8)
            // Mostly the seeds as they are (so keys are predicted), sometimes mutated or with
            // keys renamed (a prediction that must miss), e.g. "id" → "idx", "type" → "typ".
            if Bool.random(using: &generator) {
                for _ in 0..<Int.random(in: 1...3, using: &generator) { mutate(&bytes, using: &generator) }
            }
            let fresh = EventDecoder(catalog: DecoderFixture.catalog)
            let expected = bytes.withUnsafeBytes { fresh.decode($0) }
            let reason = bytes.withUnsafeBytes { seasoned.decode($0) }
            #expect(reason == expected, "\(String(decoding: bytes, as: UTF8.self))")
            guard reason == nil, expected == nil else { continue }
            accepted += 1
            #expect(seasoned.string(seasoned.subject) == fresh.string(fresh.subject))
            #expect(seasoned.string(seasoned.id) == fresh.string(fresh.id))
            #expect(seasoned.string(seasoned.type) == fresh.string(fresh.type))
            #expect(seasoned.time == fresh.time)
            #expect(seasoned.eventTypeIndex == fresh.eventTypeIndex)
            let meters = DecoderFixture.catalog.eventTypes[fresh.eventTypeIndex].meterIndices.count
            for position in 0..<meters {
                let meter = DecoderFixture.catalog.meters[DecoderFixture.catalog.eventTypes[fresh.eventTypeIndex].meterIndices[position]]
                if meter.aggregation.readsQuantity, meter.valueProperty != nil {
                    #expect(seasoned.quantity(meterPosition: position) == fresh.quantity(meterPosition: position))
                }
                #expect(seasoned.value(meterPosition: position).kind == fresh.value(meterPosition: position).kind)
                #expect(seasoned.string(seasoned.value(meterPosition: position)) == fresh.string(fresh.value(meterPosition: position)))
                for dimension in 0..<meter.groupBy.count {
                    let mine = seasoned.dimension(meterPosition: position, dimension: dimension)
                    let theirs = fresh.dimension(meterPosition: position, dimension: dimension)
                    #expect(mine.kind == theirs.kind)
                    #expect(seasoned.string(mine) == fresh.string(theirs))
                }
            }
        }
        #expect(accepted > 1_000)
    }

    @Test func randomBytesNeverCrash() {
        var generator = SeededGenerator(seed: 42)
        let decoder = EventDecoder(catalog: DecoderFixture.catalog)
        var rejected = 0
        for _ in 0..<20_000 {
            let length = Int.random(in: 0...64, using: &generator)
            let alphabet = Array(#"{}[]":,.-+eE0123456789 tfnrulsa\u"#.utf8) + [0x80, 0xC3, 0xA9, 0xFF, 0x00]
            let bytes = (0..<length).map { _ in alphabet.randomElement(using: &generator)! }
            if bytes.withUnsafeBytes({ decoder.decode($0) }) != nil { rejected += 1 }
        }
        #expect(rejected == 20_000)
    }

    @Test func deepNestingIsRejectedWithoutOverflowingTheStack() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let event = DecoderFixture.event(data: #"{"tokens":1,"x":\#(deep)}"#)
        #expect(DecoderFixture.decode(event) == .invalidJSON)
        let fine = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        #expect(DecoderFixture.decode(DecoderFixture.event(data: #"{"tokens":1,"x":\#(fine)}"#)) == nil)
    }

    private func mutate(_ bytes: inout [UInt8], using generator: inout SeededGenerator) {
        let interesting = Array(#"{}[]":,\.-+eE019 u"#.utf8) + [0x00, 0x1F, 0x7F, 0x80, 0xC3, 0xE2, 0xED, 0xF0, 0xFF]
        switch Int.random(in: 0..<5, using: &generator) {
        case 0 where !bytes.isEmpty:
            bytes.remove(at: Int.random(in: 0..<bytes.count, using: &generator))
        case 1:
            bytes.insert(interesting.randomElement(using: &generator)!, at: Int.random(in: 0...bytes.count, using: &generator))
        case 2 where !bytes.isEmpty:
            bytes[Int.random(in: 0..<bytes.count, using: &generator)] = interesting.randomElement(using: &generator)!
        case 3 where bytes.count > 2:
            let start = Int.random(in: 0..<bytes.count - 1, using: &generator)
            let end = Int.random(in: start + 1...min(bytes.count, start + 16), using: &generator)
            bytes.insert(contentsOf: bytes[start..<end], at: Int.random(in: 0...bytes.count, using: &generator))
        case 4 where !bytes.isEmpty:
            bytes.removeLast(Int.random(in: 0...min(8, bytes.count), using: &generator))
        default:
            bytes.append(interesting.randomElement(using: &generator)!)
        }
    }
}

/// A deterministic random source for property tests, so failures reproduce.
typealias SeededGenerator = SplitMix64
