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
}
