/// Slow-path views of an accepted event as Swift strings, for tools that do not need the
/// allocation-free path (the naive consumer of `bench`, diagnostics).
extension EventDecoder {
    public func string(_ ref: JSONValueRef) -> String { String(decoding: text(ref), as: UTF8.self) }

    /// The canonical dimensions JSON of the meter at `position` for this event.
    public func canonicalDimensions(meterPosition position: Int) -> String {
        let meter = catalog.meters[catalog.meterIndices(ofType: eventTypeIndex)[position]]
        let values = meter.groupBy.indices.map { dimension -> String? in
            let ref = self.dimension(meterPosition: position, dimension: dimension)
            return ref.kind.isPresentScalar ? string(ref) : nil
        }
        return CanonicalDimensions.text(names: meter.groupBy.map(\.name), values: values)
    }
}
