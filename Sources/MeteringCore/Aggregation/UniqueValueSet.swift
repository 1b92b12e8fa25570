/// The distinct (key, value id) pairs seen since the last flush, for UNIQUE_COUNT meters.
///
/// Open addressing like `AggregateTable`; inserting a pair already present does not allocate.
/// Postgres keeps the members across flushes (`ON CONFLICT DO NOTHING`), so the count stays
/// exact however events are split into flushes. Owned by one thread.
struct UniqueValueSet {
    private struct Member: Equatable {
        var key: AggregateKey
        var value: UInt32
    }

    private var members: [Member]
    private var mask: Int
    private(set) var count = 0

    init(capacity: Int = 1024) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        members = Array(repeating: Member(key: .empty, value: 0), count: size)
        mask = size - 1
    }

    /// Inserts the pair; returns false if it was already present.
    @discardableResult
    mutating func insert(_ key: AggregateKey, value: UInt32) -> Bool {
        let member = Member(key: key, value: value)
        var index = Int(truncatingIfNeeded: mix64(key.hashValue64 ^ UInt64(value))) & mask
        while members[index].key.low != 0 {
            if members[index] == member { return false }
            index = (index &+ 1) & mask
        }
        members[index] = member
        count += 1
        if count * 2 > members.count { grow() }
        return true
    }

    func forEach(_ body: (AggregateKey, UInt32) throws -> Void) rethrows {
        for member in members where member.key.low != 0 { try body(member.key, member.value) }
    }

    mutating func removeAll() {
        guard count > 0 else { return }
        for index in members.indices where members[index].key.low != 0 {
            members[index] = Member(key: .empty, value: 0)
        }
        count = 0
    }

    private mutating func grow() {
        let old = members
        let size = members.count * 2
        members = Array(repeating: Member(key: .empty, value: 0), count: size)
        mask = size - 1
        for member in old where member.key.low != 0 {
            var index = Int(truncatingIfNeeded: mix64(member.key.hashValue64 ^ UInt64(member.value))) & mask
            while members[index].key.low != 0 { index = (index &+ 1) & mask }
            members[index] = member
        }
    }
}
