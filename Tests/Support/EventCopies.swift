public import MeteringWorkload

/// Copies of generated events, as a producer that retries sends them (DESIGN §5): the same
/// bytes again, or the same (source, id) with a changed payload (a conflicting copy).
public enum EventCopies {
    /// The event's CloudEvents JSON, exactly as `WorkloadProducer` sends it.
    public static func bytes(of event: UsageEvent) -> [UInt8] {
        var bytes: [UInt8] = []
        event.render(into: &bytes)
        return bytes
    }

    /// The same `source` and `id` with one more attribute: still valid, but different bytes.
    public static func conflictingBytes(of event: UsageEvent) -> [UInt8] {
        let original = bytes(of: event)
        return Array("{\"note\":\"re-sent with changes\",".utf8) + original.dropFirst()
    }
}
