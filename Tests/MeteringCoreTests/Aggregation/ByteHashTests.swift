@testable import MeteringCore
import Testing

@Suite struct ByteHashTests {
    /// The dedup fingerprint hashes each attribute once for both of its seeds; the pair must be
    /// exactly the two single hashes, for every length of tail (and no bytes at all).
    @Test func aPairIsTheTwoSingleHashes() {
        let seeds: (UInt64, UInt64) = (0x6A09_E667_F3BC_C908, 0xBB67_AE85_84CA_A73B)
        var bytes: [UInt8] = []
        for length in 0...40 {
            bytes.withUnsafeBytes { raw in
                let pair = byteHashPair(raw, seeds: seeds)
                #expect(pair.0 == byteHash(raw, seed: seeds.0), "length \(length)")
                #expect(pair.1 == byteHash(raw, seed: seeds.1), "length \(length)")
            }
            bytes.append(UInt8(truncatingIfNeeded: length &* 37 &+ 11))
        }
        let empty = UnsafeRawBufferPointer(start: nil, count: 0)
        #expect(byteHashPair(empty, seeds: seeds) == (byteHash(empty, seed: seeds.0), byteHash(empty, seed: seeds.1)))
        #expect(byteHashPair(empty, seeds: seeds).0 != byteHashPair(empty, seeds: seeds).1)
    }

    /// The tail word reads 0–7 bytes with at most two loads; it must be exactly those bytes,
    /// little-endian, at any offset, and read nothing past them (the buffer ends at the tail).
    @Test func theTailWordIsItsBytesLittleEndian() {
        for length in 0...7 {
            for offset in 0...9 {
                let bytes = (0..<(offset + length)).map { UInt8(truncatingIfNeeded: $0 &* 73 &+ 0x91) }
                bytes.withUnsafeBytes { raw in
                    var expected: UInt64 = 0
                    for position in 0..<length { expected |= UInt64(raw[offset + position]) << (8 * UInt64(position)) }
                    guard let base = raw.baseAddress else { return #expect(length + offset == 0) }
                    #expect(byteHashTailWord(base, from: offset, count: offset + length) == expected,
                            "length \(length), offset \(offset)")
                }
            }
        }
    }

    /// The payload hash of the dedup window: any one byte changed, at any position of payloads
    /// from 32 to 200 bytes (every lane, the fold, the words after it and the tail), changes it;
    /// under 32 bytes it is `byteHash`.
    @Test func theWideHashTellsApartPayloadsThatDifferInOneByte() {
        let seed: UInt64 = 0x3C6E_F372_FE94_F82B
        for length in 0..<32 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 29 &+ 7) }
            bytes.withUnsafeBytes { #expect(wideByteHash($0, seed: seed) == byteHash($0, seed: seed), "length \(length)") }
        }
        for length in stride(from: 32, through: 200, by: 7) {
            var bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 29 &+ 7) }
            let original = bytes.withUnsafeBytes { wideByteHash($0, seed: seed) }
            var unchanged: [Int] = []
            for position in 0..<length {
                bytes[position] ^= 0x20
                if bytes.withUnsafeBytes({ wideByteHash($0, seed: seed) }) == original { unchanged.append(position) }
                bytes[position] ^= 0x20
            }
            #expect(unchanged.isEmpty, "length \(length): a change at \(unchanged) kept the hash")
        }
    }
}
