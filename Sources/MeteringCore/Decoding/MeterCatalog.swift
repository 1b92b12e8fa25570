/// The configured meters, compiled for decoding and aggregation.
///
/// For each event `type` it knows the meters that read it and the `data` paths they need,
/// merged into one path trie so the decoder visits `data` once. Every distinct path gets a
/// slot number; a meter refers to its value and dimension slots by number. Immutable after
/// init; Sendable.
public struct MeterCatalog: Sendable {
    /// All meters in configuration order; a meter's index here is its id everywhere.
    public let meters: [Meter]
    let eventTypes: [EventTypeSchema]
    /// The largest slot count and meter count of any event type (scratch buffer sizes).
    let maximumSlots: Int
    let maximumMetersPerType: Int

    public init(meters: [Meter]) {
        self.meters = meters
        var order: [String] = []
        var byType: [String: [Int]] = [:]
        for (index, meter) in meters.enumerated() {
            if byType[meter.eventType] == nil { order.append(meter.eventType) }
            byType[meter.eventType, default: []].append(index)
        }
        eventTypes = order.map { EventTypeSchema(name: $0, meterIndices: byType[$0]!, meters: meters) }
        maximumSlots = eventTypes.map(\.slotCount).max() ?? 0
        maximumMetersPerType = eventTypes.map(\.meterIndices.count).max() ?? 0
    }

    /// The index of the event type spelled by `name` (decoded UTF-8), or nil (`unknown_type`).
    func eventTypeIndex(of name: UnsafeRawBufferPointer) -> Int? {
        for (index, schema) in eventTypes.enumerated() where schema.name.count == name.count {
            let equal = schema.name.withUnsafeBytes { stored in
                name.count == 0 || memcmpEqual(stored.baseAddress!, name.baseAddress!, name.count)
            }
            if equal { return index }
        }
        return nil
    }

    /// The meters (global indices) that read events of type number `typeIndex`.
    public func meterIndices(ofType typeIndex: Int) -> [Int] { eventTypes[typeIndex].meterIndices }
}

/// One event type's meters and the trie of the `data` paths they read.
struct EventTypeSchema: Sendable {
    let name: [UInt8]
    let meterIndices: [Int]
    /// Node 0 is `data` itself.
    let trie: [PathNode]
    let slotCount: Int
    /// Per meter of this type (same order as `meterIndices`): its value slot, or -1.
    let valueSlots: [Int]
    /// Per meter of this type: one slot per dimension, in the meter's (name-sorted) order.
    let dimensionSlots: [[Int]]
    /// True when some meter reads a value from `data`, so `data` may not be absent.
    let requiresData: Bool

    init(name: String, meterIndices: [Int], meters: [Meter]) {
        self.name = Array(name.utf8)
        self.meterIndices = meterIndices
        var trie = [PathNode(name: [], children: [], slot: -1)]
        var slotCount = 0
        func slot(for path: JSONPath) -> Int {
            var node = 0
            for segment in path.segments {
                if let child = trie[node].children.first(where: { trie[$0].name == segment }) {
                    node = child
                } else {
                    trie.append(PathNode(name: segment, children: [], slot: -1))
                    trie[node].children.append(trie.count - 1)
                    node = trie.count - 1
                }
            }
            if trie[node].slot < 0 {
                trie[node].slot = slotCount
                slotCount += 1
            }
            return trie[node].slot
        }
        var valueSlots: [Int] = []
        var dimensionSlots: [[Int]] = []
        for index in meterIndices {
            let meter = meters[index]
            valueSlots.append(meter.valueProperty.map(slot(for:)) ?? -1)
            dimensionSlots.append(meter.groupBy.map { slot(for: $0.path) })
        }
        self.trie = trie
        self.slotCount = slotCount
        self.valueSlots = valueSlots
        self.dimensionSlots = dimensionSlots
        self.requiresData = meterIndices.contains { meters[$0].valueProperty != nil }
    }
}

/// A node of the path trie: a member name, its child members, and its slot if a path ends here.
struct PathNode: Sendable {
    let name: [UInt8]
    var children: [Int]
    var slot: Int
}

@inline(__always)
func memcmpEqual(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ count: Int) -> Bool {
    var index = 0
    while index < count {
        if a.load(fromByteOffset: index, as: UInt8.self) != b.load(fromByteOffset: index, as: UInt8.self) {
            return false
        }
        index &+= 1
    }
    return true
}
