/// A meter: which events it reads (`eventType`), what it measures and how it groups.
///
/// Immutable configuration; Sendable. Group-by dimensions are kept sorted by name, which is
/// the order of the canonical `dimensions` JSON object.
public struct Meter: Hashable, Sendable {
    public let slug: String
    public let eventType: String
    public let aggregation: Aggregation
    /// The property read as the quantity (or, for UNIQUE_COUNT, the value counted); nil for COUNT.
    public let valueProperty: JSONPath?
    /// Dimension name → path, sorted by name.
    public let groupBy: [Dimension]

    /// At most this many group-by dimensions per meter (a bound of the aggregation key).
    public static let maximumDimensions = 8

    public struct Dimension: Hashable, Sendable {
        public let name: String
        public let path: JSONPath
        public init(name: String, path: JSONPath) {
            self.name = name
            self.path = path
        }
    }

    public init(
        slug: String, eventType: String, aggregation: Aggregation,
        valueProperty: JSONPath? = nil, groupBy: [Dimension] = []
    ) {
        self.slug = slug
        self.eventType = eventType
        self.aggregation = aggregation
        self.valueProperty = valueProperty
        self.groupBy = groupBy.sorted { $0.name < $1.name }
    }
}
