import MeteringCore

/// The `meters` list.
enum MeterSection {
    static func read(_ node: ConfigNode) throws(ConfigurationError) -> [Meter] {
        let items = try node.sequence()
        guard !items.isEmpty else { throw node.error("must list at least one meter") }
        var meters: [Meter] = []
        for item in items {
            let members = try item.mapping(allowed: ["slug", "eventType", "aggregation", "valueProperty", "groupBy"])
            let slugNode = try members.required("slug")
            let slug = try slugNode.nonEmptyString()
            guard slug.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }) else {
                throw slugNode.error("must use only a-z, 0-9 and _ (it names products and invoice lines)")
            }
            guard !meters.contains(where: { $0.slug == slug }) else { throw slugNode.error("repeats meter \"\(slug)\"") }
            let aggregationNode = try members.required("aggregation")
            guard let aggregation = Aggregation(rawValue: try aggregationNode.string()) else {
                throw aggregationNode.error("must be one of \(Aggregation.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            var valueProperty: JSONPath?
            if let valueNode = members["valueProperty"] {
                guard aggregation != .count else { throw valueNode.error("is not used by COUNT: remove it") }
                valueProperty = try path(valueNode)
            } else if aggregation.needsValueProperty {
                throw ConfigurationError(line: item.line, key: "\(item.path).valueProperty",
                                         message: "is required for \(aggregation.rawValue)")
            }
            var dimensions: [Meter.Dimension] = []
            if let groupBy = members["groupBy"] {
                let entries = try groupBy.freeMapping()
                guard entries.count <= Meter.maximumDimensions else {
                    throw groupBy.error("has \(entries.count) dimensions; at most \(Meter.maximumDimensions) are allowed")
                }
                for (name, pathNode) in entries {
                    guard !name.isEmpty else { throw pathNode.error("needs a dimension name") }
                    dimensions.append(Meter.Dimension(name: name, path: try path(pathNode)))
                }
            }
            meters.append(Meter(slug: slug, eventType: try members.required("eventType").nonEmptyString(),
                                aggregation: aggregation, valueProperty: valueProperty, groupBy: dimensions))
        }
        return meters
    }

    private static func path(_ node: ConfigNode) throws(ConfigurationError) -> JSONPath {
        do {
            return try JSONPath(try node.nonEmptyString())
        } catch let error as ConfigurationError {
            throw error
        } catch {
            throw node.error("is not a path: \(error)")
        }
    }
}
