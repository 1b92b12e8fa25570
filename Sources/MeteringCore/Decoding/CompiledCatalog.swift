/// The meter catalog flattened into plain, immutable lookup tables for the hot path: no
/// nested arrays, no strings, nothing reference-counted per access. Built once per decoder or
/// aggregator from a `MeterCatalog`.
///
/// Layout: event types index a range of *positions* (one per meter of the type); a position
/// knows its meter, aggregation, value slot and a range of dimension slots. The `data` path
/// trie is a node array whose children are contiguous in `children`.
final class CompiledCatalog: @unchecked Sendable {
    // @unchecked Sendable is safe: every buffer is written in init and only read afterwards;
    // the buffers are freed in deinit, when no reader can exist.
    let typeCount: Int
    let typeNames: UnsafeMutablePointer<UInt8>
    let typeNameStarts: UnsafeMutablePointer<Int>          // typeCount + 1
    let typePositionStarts: UnsafeMutablePointer<Int>      // typeCount + 1
    let typeRoots: UnsafeMutablePointer<Int>
    let typeSlotCounts: UnsafeMutablePointer<Int>

    let positionMeters: UnsafeMutablePointer<Int>
    let positionAggregations: UnsafeMutablePointer<Aggregation>
    let positionValueSlots: UnsafeMutablePointer<Int>      // -1: none
    let positionDimensionStarts: UnsafeMutablePointer<Int> // positions + 1
    let dimensionSlots: UnsafeMutablePointer<Int>

    let nodeNames: UnsafeMutablePointer<UInt8>
    let nodeNameStarts: UnsafeMutablePointer<Int>          // nodes + 1
    let nodeChildStarts: UnsafeMutablePointer<Int>         // nodes + 1, into `children`
    let nodeSlots: UnsafeMutablePointer<Int>               // -1: no path ends here
    let children: UnsafeMutablePointer<Int>

    let nodeCount: Int
    let maximumSlots: Int
    let maximumPositions: Int

    init(_ catalog: MeterCatalog) {
        let types = catalog.eventTypes
        typeCount = types.count
        var names: [UInt8] = []
        var nameStarts = [0]
        var positionStarts = [0]
        var roots: [Int] = []
        var slotCounts: [Int] = []
        var meters: [Int] = []
        var aggregations: [Aggregation] = []
        var valueSlots: [Int] = []
        var dimensionStarts = [0]
        var dimensions: [Int] = []
        var nodeNameBytes: [UInt8] = []
        var nodeNameStarts = [0]
        var childStarts = [0]
        var slots: [Int] = []
        var childList: [Int] = []
        for schema in types {
            names += schema.name
            nameStarts.append(names.count)
            for (position, meter) in schema.meterIndices.enumerated() {
                meters.append(meter)
                aggregations.append(catalog.meters[meter].aggregation)
                valueSlots.append(schema.valueSlots[position])
                dimensions += schema.dimensionSlots[position]
                dimensionStarts.append(dimensions.count)
            }
            positionStarts.append(meters.count)
            let base = slots.count
            roots.append(base)
            slotCounts.append(schema.slotCount)
            for node in schema.trie {
                nodeNameBytes += node.name
                nodeNameStarts.append(nodeNameBytes.count)
                childList += node.children.map { $0 + base }
                childStarts.append(childList.count)
                slots.append(node.slot)
            }
        }
        func copy<T>(_ values: [T]) -> UnsafeMutablePointer<T> {
            let pointer = UnsafeMutablePointer<T>.allocate(capacity: max(values.count, 1))
            pointer.initialize(from: values, count: values.count)
            return pointer
        }
        typeNames = copy(names)
        typeNameStarts = copy(nameStarts)
        typePositionStarts = copy(positionStarts)
        typeRoots = copy(roots)
        typeSlotCounts = copy(slotCounts)
        positionMeters = copy(meters)
        positionAggregations = copy(aggregations)
        positionValueSlots = copy(valueSlots)
        positionDimensionStarts = copy(dimensionStarts)
        dimensionSlots = copy(dimensions)
        nodeNames = copy(nodeNameBytes)
        self.nodeNameStarts = copy(nodeNameStarts)
        nodeChildStarts = copy(childStarts)
        nodeSlots = copy(slots)
        children = copy(childList)
        nodeCount = slots.count
        maximumSlots = max(slotCounts.max() ?? 0, 1)
        maximumPositions = max(types.map(\.meterIndices.count).max() ?? 0, 1)
    }

    deinit {
        for pointer in [typeNameStarts, typePositionStarts, typeRoots, typeSlotCounts, positionMeters,
                        positionValueSlots, positionDimensionStarts, dimensionSlots, nodeNameStarts,
                        nodeChildStarts, nodeSlots, children] {
            pointer.deallocate()
        }
        typeNames.deallocate()
        nodeNames.deallocate()
        positionAggregations.deallocate()
    }

    /// The type whose name is `name` (decoded UTF-8), or -1.
    @inline(__always)
    func typeIndex(of name: UnsafeRawBufferPointer) -> Int {
        for type in 0..<typeCount {
            let start = typeNameStarts[type]
            let length = typeNameStarts[type + 1] - start
            if length == name.count && (length == 0 || memcmpEqual(typeNames + start, name.baseAddress!, length)) {
                return type
            }
        }
        return -1
    }

    /// The child of `node` whose member name is `name`, or -1.
    @inline(__always)
    func child(of node: Int, named name: UnsafeRawBufferPointer) -> Int {
        var index = nodeChildStarts[node]
        let end = nodeChildStarts[node + 1]
        while index < end {
            let child = children[index]
            let start = nodeNameStarts[child]
            let length = nodeNameStarts[child + 1] - start
            if length == name.count && (length == 0 || memcmpEqual(nodeNames + start, name.baseAddress!, length)) {
                return child
            }
            index &+= 1
        }
        return -1
    }

    @inline(__always)
    func hasChildren(_ node: Int) -> Bool { nodeChildStarts[node + 1] > nodeChildStarts[node] }
}
