import CacheHints

/// Decodes one CloudEvents 1.0 message (structured-mode JSON) against the meter catalog,
/// validating it completely, without `JSONDecoder` and without allocating per event.
///
/// `decode` either accepts the event — its attributes, time, type and every value its meters
/// read are then available until the next `decode` — or returns the rejection reason of
/// DESIGN §2. An event is valid for all its meters or for none. Results point into the message
/// buffer, which must stay alive while they are read. One decoder per thread: not Sendable.
///
/// All per-event state lives behind one pointer and the catalog in flat tables, so the hot
/// path pays neither reference counting nor dynamic exclusivity checks.
public final class EventDecoder {
    public let catalog: MeterCatalog
    let tables: CompiledCatalog
    private let state: UnsafeMutablePointer<DecodeState>
    private let workspace: UnsafeMutablePointer<UInt8>
    private let slots: UnsafeMutablePointer<JSONValueRef>
    private let quantities: UnsafeMutablePointer<ExactDecimal>
    /// The keys last seen at each place of the event object, then of each `data` trie node's object.
    private let predictedKeys: UnsafeMutablePointer<PredictedKey>
    private static let predictedPlaces = 16
    private let placeholder: UnsafeMutablePointer<UInt8> = .allocate(capacity: 1)

    /// Everything one `decode` call writes.
    struct DecodeState {
        var id = JSONValueRef.missing
        var source = JSONValueRef.missing
        var subject = JSONValueRef.missing
        var type = JSONValueRef.missing
        var specversion = JSONValueRef.missing
        var timeRef = JSONValueRef.missing
        var data = JSONValueRef.missing
        var time = EventTime(seconds: 0, nanoseconds: 0)
        var eventType = 0
        var dataExtractedForType = -1
        var message: UnsafePointer<UInt8>
        var messageCount = 0
        var strings = JSONStringDecoder()
        var keys = JSONStringDecoder(capacity: 256)
        var subjectSlots = SlotPrefetch()
    }

    /// Where the table that the subject will be looked up in next keeps the slot of a hash
    /// (`slots + (hash & mask) * stride`), so that decoding starts loading it as soon as it has
    /// read the subject, and the rest of the event is decoded while it arrives. A hint: a stale
    /// one costs a useless load, never a wrong result.
    struct SlotPrefetch {
        var slots: UnsafeRawPointer?
        var mask = 0
        var stride = 0
    }

    /// Sets where the subject's slot is (called by the aggregator, whose table may have moved).
    @inline(__always)
    func setSubjectSlots(_ prefetch: SlotPrefetch) { state.pointee.subjectSlots = prefetch }

    public init(catalog: MeterCatalog) {
        self.catalog = catalog
        tables = CompiledCatalog(catalog)
        workspace = JSONScanner.allocateWorkspace()
        slots = .allocate(capacity: tables.maximumSlots)
        quantities = .allocate(capacity: tables.maximumPositions)
        let places = Self.predictedPlaces * (1 + tables.nodeCount)
        predictedKeys = .allocate(capacity: places)
        predictedKeys.initialize(repeating: .none, count: places)
        state = .allocate(capacity: 1)
        state.initialize(to: DecodeState(message: UnsafePointer(placeholder)))
    }

    deinit {
        state.pointee.strings.deallocate()
        state.pointee.keys.deallocate()
        state.deinitialize(count: 1)
        state.deallocate()
        workspace.deallocate()
        slots.deallocate()
        quantities.deallocate()
        predictedKeys.deallocate()
        placeholder.deallocate()
    }

    // MARK: results of the last accepted event

    /// Attributes of the last accepted event (string spans into the message).
    public var id: JSONValueRef { state.pointee.id }
    public var source: JSONValueRef { state.pointee.source }
    public var subject: JSONValueRef { state.pointee.subject }
    public var type: JSONValueRef { state.pointee.type }
    public var time: EventTime { state.pointee.time }
    /// Index of the event's type in the catalog.
    public var eventTypeIndex: Int { state.pointee.eventType }

    /// The decoded text of a string, or the text as written of a number or literal; valid until
    /// the next call to `text` or `decode`.
    @inline(__always)
    public func text(_ ref: JSONValueRef) -> UnsafeRawBufferPointer {
        state.pointee.strings.text(of: ref, in: state.pointee.message)
    }

    /// The quantity read by the meter at `position` among its type's meters (a meter that reads one).
    @inline(__always)
    public func quantity(meterPosition position: Int) -> ExactDecimal { quantities[position] }

    /// The value read by the meter at `position` (UNIQUE_COUNT, LATEST, ...), or `.missing`.
    @inline(__always)
    public func value(meterPosition position: Int) -> JSONValueRef {
        let slot = tables.positionValueSlots[tables.typePositionStarts[state.pointee.eventType] + position]
        return slot < 0 ? .missing : slots[slot]
    }

    /// The value of dimension `dimension` of the meter at `position`, or `.missing`.
    @inline(__always)
    public func dimension(meterPosition position: Int, dimension: Int) -> JSONValueRef {
        let global = tables.typePositionStarts[state.pointee.eventType] + position
        return slots[tables.dimensionSlots[tables.positionDimensionStarts[global] + dimension]]
    }

    /// The raw bytes of a value as written in the message (a string includes no quotes).
    public func rawBytes(_ ref: JSONValueRef) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: state.pointee.message + Int(ref.start), count: ref.length)
    }

    // MARK: decoding

    /// Decodes and validates `bytes`. Returns nil when the event is valid.
    public func decode(_ bytes: UnsafeRawBufferPointer) -> RejectionReason? {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return .invalidJSON }
        let message = base.assumingMemoryBound(to: UInt8.self)
        state.pointee.message = message
        state.pointee.messageCount = bytes.count
        var id = JSONValueRef.missing, source = JSONValueRef.missing, subject = JSONValueRef.missing
        var type = JSONValueRef.missing, specversion = JSONValueRef.missing, timeRef = JSONValueRef.missing
        var data = JSONValueRef.missing
        var dataExtractedForType = -1
        var knownType = -1

        var scanner = JSONScanner(bytes: message, count: bytes.count, workspace: workspace)
        guard scanner.consume(UInt8(ascii: "{")) else { return .invalidJSON }
        if !scanner.consume(UInt8(ascii: "}")) {
            var place = 0
            while true {
                scanner.skipWhitespace()
                let attribute: Attribute
                let predicted = predictedKeys + min(place, Self.predictedPlaces &- 1)
                if scanner.scanKey(predicted: predicted.pointee) != nil {
                    attribute = Attribute(rawValue: predicted.pointee.meaning) ?? .other
                } else {
                    guard let key = scanner.scanString(), scanner.consume(UInt8(ascii: ":")) else { return .invalidJSON }
                    attribute = attributeName(key, in: message)
                    predicted.pointee.learn(key, in: message, count: bytes.count, meaning: attribute.rawValue)
                }
                place &+= 1
                if attribute == .data, knownType >= 0 {
                    clearSlots(typeIndex: knownType)
                    dataExtractedForType = knownType
                    guard let value = scanner.scanScalarOrPeekContainer() else { return .invalidJSON }
                    data = value
                    if value.kind == .object {
                        guard extractObject(&scanner, node: tables.typeRoots[knownType], message: message) else { return .invalidJSON }
                    } else if value.kind == .array {
                        guard scanner.scanValue() != nil else { return .invalidJSON }
                    }
                } else {
                    guard let value = scanner.scanValue() else { return .invalidJSON }
                    switch attribute {
                    case .specversion: specversion = value
                    case .id: id = value
                    case .source: source = value
                    case .type:
                        type = value
                        knownType = value.kind == .string ? tables.typeIndex(of: text(value)) : -1
                    case .subject:
                        subject = value
                        let hint = state.pointee.subjectSlots
                        if let slots = hint.slots, value.kind == .string {
                            let home = Int(truncatingIfNeeded: byteHash(text(value))) & hint.mask
                            cache_prefetch(slots + home &* hint.stride)
                        }
                    case .time: timeRef = value
                    case .data: data = value; dataExtractedForType = -1
                    case .other: break
                    }
                }
                if scanner.consume(UInt8(ascii: ",")) { continue }
                guard scanner.consume(UInt8(ascii: "}")) else { return .invalidJSON }
                break
            }
        }
        scanner.skipWhitespace()
        guard scanner.atEnd else { return .invalidJSON }

        state.pointee.id = id
        state.pointee.source = source
        state.pointee.subject = subject
        state.pointee.type = type
        guard specversion.kind == .string, isVersion10(text(specversion)) else { return .missingAttribute("specversion") }
        guard isNonEmptyString(id) else { return .missingAttribute("id") }
        guard isNonEmptyString(source) else { return .missingAttribute("source") }
        guard isNonEmptyString(type) else { return .missingAttribute("type") }
        guard isNonEmptyString(subject), isStorableKey(subject, limit: Self.maximumSubjectBytes) else {
            return .missingAttribute("subject")
        }
        guard isNonEmptyString(timeRef) else { return .missingAttribute("time") }
        guard let parsed = RFC3339.parse(text(timeRef)) else { return .badTime }
        state.pointee.time = parsed
        guard knownType >= 0 else { return .unknownType }
        state.pointee.eventType = knownType
        if dataExtractedForType != knownType {
            // `data` came before `type` (or not at all): visit it again, now that the paths are known.
            clearSlots(typeIndex: knownType)
            if data.kind == .object {
                var again = JSONScanner(bytes: message, count: bytes.count, workspace: workspace)
                again.index = Int(data.start)
                guard extractObject(&again, node: tables.typeRoots[knownType], message: message) else { return .invalidJSON }
            }
        }
        return checkValues(typeIndex: knownType)
    }

    /// Every meter of the type gets the value it needs, or the event is rejected as a whole.
    private func checkValues(typeIndex: Int) -> RejectionReason? {
        let first = tables.typePositionStarts[typeIndex]
        let end = tables.typePositionStarts[typeIndex + 1]
        var global = first
        while global < end {
            let slot = tables.positionValueSlots[global]
            if slot >= 0 {
                let ref = slots[slot]
                if tables.positionAggregations[global].readsQuantity {
                    guard ref.kind == .number || ref.kind == .string else { return badValue(global) }
                    switch ExactDecimal.parse(utf8: text(ref)) {
                    case .success(let value): quantities[global &- first] = value
                    case .failure(.notANumber): return badValue(global)
                    case .failure(.outOfRange): return .valueOutOfRange
                    }
                } else if !ref.kind.isPresentScalar || !isStorableKey(ref, limit: Self.maximumValueBytes) {
                    return badValue(global)
                }
            }
            // The dimension values become part of the totals' primary key in Postgres: bounded.
            var dimensionBytes = 0
            var longest = (dimension: 0, length: -1)
            let firstDimension = tables.positionDimensionStarts[global]
            for index in firstDimension..<tables.positionDimensionStarts[global + 1] {
                let ref = slots[tables.dimensionSlots[index]]
                guard ref.kind.isPresentScalar else { continue }
                dimensionBytes &+= ref.length
                if ref.length > longest.length { longest = (index &- firstDimension, ref.length) }
            }
            if dimensionBytes > Self.maximumValueBytes {
                let meter = catalog.meters[tables.positionMeters[global]]
                return .badValue(path: meter.groupBy[longest.dimension].path.text)
            }
            global &+= 1
        }
        return nil
    }

    /// Longest subject, in bytes as written: Postgres keys it, and a btree key holds ~2.7 kB.
    public static let maximumSubjectBytes = 512
    /// Longest UNIQUE_COUNT value, and longest sum of one meter's dimension values, as written.
    public static let maximumValueBytes = 1024

    /// Postgres `text` cannot hold NUL, and an over-long key would fail every flush: such an
    /// event is rejected here instead of stalling the pipeline.
    private func isStorableKey(_ ref: JSONValueRef, limit: Int) -> Bool {
        guard ref.length <= limit else { return false }
        guard ref.hasEscapes else { return true }   // raw JSON strings cannot contain NUL bytes
        return !text(ref).contains(0)
    }

    /// The rejection for a missing or malformed value (slow path: builds the reason text).
    private func badValue(_ global: Int) -> RejectionReason {
        .badValue(path: catalog.meters[tables.positionMeters[global]].valueProperty?.text ?? "$")
    }

    // MARK: scanning helpers

    private func isVersion10(_ value: UnsafeRawBufferPointer) -> Bool {
        value.count == 3 && value[0] == UInt8(ascii: "1") && value[1] == UInt8(ascii: ".") && value[2] == UInt8(ascii: "0")
    }

    @inline(__always)
    private func isNonEmptyString(_ ref: JSONValueRef) -> Bool { ref.kind == .string && ref.end > ref.start }

    @inline(__always)
    private func clearSlots(typeIndex: Int) {
        for slot in 0..<tables.typeSlotCounts[typeIndex] { slots[slot] = .missing }
    }

    /// At `{` of an object that trie node `node` describes: captures the slots of its members
    /// and descends into the members that lead to deeper paths. Recursion depth is bounded by
    /// the longest configured path.
    private func extractObject(_ scanner: inout JSONScanner, node: Int, message: UnsafePointer<UInt8>) -> Bool {
        scanner.index &+= 1
        if scanner.consume(UInt8(ascii: "}")) { return true }
        let places = predictedKeys + Self.predictedPlaces &* (1 &+ node)
        var place = 0
        while true {
            scanner.skipWhitespace()
            let child: Int
            let predicted = places + min(place, Self.predictedPlaces &- 1)
            if scanner.scanKey(predicted: predicted.pointee) != nil {
                child = Int(predicted.pointee.meaning)
            } else {
                guard let key = scanner.scanString(), scanner.consume(UInt8(ascii: ":")) else { return false }
                child = tables.hasChildren(node)
                    ? tables.child(of: node, named: state.pointee.keys.text(of: key, in: message)) : -1
                predicted.pointee.learn(key, in: message, count: scanner.count, meaning: Int32(child))
            }
            place &+= 1
            if child >= 0 {
                guard var value = scanner.scanScalarOrPeekContainer() else { return false }
                resetSubtree(child)   // a repeated key: the last one wins
                if value.kind == .object && tables.hasChildren(child) {
                    guard extractObject(&scanner, node: child, message: message) else { return false }
                } else if value.kind == .object || value.kind == .array {
                    guard let skipped = scanner.scanValue() else { return false }
                    value = skipped
                }
                let slot = tables.nodeSlots[child]
                if slot >= 0 { slots[slot] = value }
            } else {
                guard scanner.scanValue() != nil else { return false }
            }
            if scanner.consume(UInt8(ascii: ",")) { continue }
            return scanner.consume(UInt8(ascii: "}"))
        }
    }

    private func resetSubtree(_ node: Int) {
        let slot = tables.nodeSlots[node]
        if slot >= 0 { slots[slot] = .missing }
        var index = tables.nodeChildStarts[node]
        while index < tables.nodeChildStarts[node + 1] {
            resetSubtree(tables.children[index])
            index &+= 1
        }
    }

    private enum Attribute: Int32 { case specversion, id, source, type, subject, time, data, other }

    /// Which CloudEvents attribute a top-level key names (its decoded text).
    @inline(__always)
    private func attributeName(_ key: JSONValueRef, in message: UnsafePointer<UInt8>) -> Attribute {
        let name = state.pointee.keys.text(of: key, in: message)
        @inline(__always) func matches(_ literal: StaticString) -> Bool {
            memcmpEqual(UnsafeRawPointer(literal.utf8Start), name.baseAddress!, name.count)
        }
        switch name.count {
        case 2: return matches("id") ? .id : .other
        case 4:
            // Tell "type", "time" and "data" apart by their first byte before comparing.
            switch name[0] {
            case UInt8(ascii: "t"): return matches("type") ? .type : matches("time") ? .time : .other
            case UInt8(ascii: "d"): return matches("data") ? .data : .other
            default: return .other
            }
        case 6: return matches("source") ? .source : .other
        case 7: return matches("subject") ? .subject : .other
        case 11: return matches("specversion") ? .specversion : .other
        default: return .other
        }
    }
}
