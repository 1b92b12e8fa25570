/// The key of one total inside a shard: (account, meter, period, dimensions), as integers.
///
/// `subject` and `dimensions` are ids from the shard's interners; `meter` is the catalog
/// index; `period` is `BillingPeriod.index`. Packed into two words for hashing and compare.
/// A key whose `low` word is 0 marks an empty table slot, which no real key can be because
/// the meter is stored plus one.
public struct AggregateKey: Hashable, Sendable {
    public var high: UInt64
    public var low: UInt64

    /// The empty-slot marker.
    public static let empty = AggregateKey(high: 0, low: 0)

    @inlinable
    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    @inlinable
    public init(subject: UInt32, meter: Int, period: Int32, dimensions: UInt32) {
        high = UInt64(subject) << 32 | UInt64(dimensions)
        low = UInt64(meter + 1) << 32 | UInt64(UInt32(bitPattern: period))
    }

    @inlinable public var subject: UInt32 { UInt32(truncatingIfNeeded: high >> 32) }
    @inlinable public var dimensions: UInt32 { UInt32(truncatingIfNeeded: high) }
    @inlinable public var meter: Int { Int(low >> 32) - 1 }
    @inlinable public var period: Int32 { Int32(bitPattern: UInt32(truncatingIfNeeded: low)) }

    @inlinable
    var hashValue64: UInt64 { mix64(high &* 0x9E37_79B9_7F4A_7C15 ^ low) }
}
