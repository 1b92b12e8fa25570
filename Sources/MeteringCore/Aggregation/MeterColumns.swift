/// What a flush writes of one meter in every row of its deltas, prepared once per shard instead
/// of once per row: the slug as a COPY column and each group-by name as a JSON key. Reading a
/// `Meter` per row retained and released its strings and arrays, and re-escaped its names.
struct MeterColumns {
    let aggregation: Aggregation
    /// The slug, escaped for COPY.
    let slug: [UInt8]
    /// `"name":` of each group-by dimension, JSON-escaped, in the meter's (sorted) order.
    let dimensionKeys: [[UInt8]]

    init(_ meter: Meter) {
        aggregation = meter.aggregation
        var slug = meter.slug
        self.slug = slug.withUTF8 { CopyTextWriter.escaped(UnsafeRawBufferPointer($0)) }
        dimensionKeys = meter.groupBy.map { dimension in
            var key: [UInt8] = []
            var name = dimension.name
            name.withUTF8 { CanonicalDimensions.appendJSONString(UnsafeRawBufferPointer($0), to: &key) }
            key.append(UInt8(ascii: ":"))
            return key
        }
    }
}

/// The dimensions column of each (meter, dimension combination) a drain meets, built once per
/// drain and escaped for COPY: a window has millions of rows but few combinations.
struct DimensionColumnCache {
    private var pool: [UInt8] = []
    private var ranges: [UInt64: Range<Int>] = [:]

    /// The column for `dimensions` of meter `meter`, building it with `build` the first time.
    mutating func column(meter: UInt32, dimensions: UInt32, build: (inout [UInt8]) -> Void) -> Range<Int> {
        let key = UInt64(meter) << 32 | UInt64(dimensions)
        if let range = ranges[key] { return range }
        var json: [UInt8] = []
        build(&json)
        let start = pool.count
        pool.append(contentsOf: json.withUnsafeBytes(CopyTextWriter.escaped))
        ranges[key] = start..<pool.count
        return start..<pool.count
    }

    func withBytes<R>(_ range: Range<Int>, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        pool.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[range])) }
    }
}
