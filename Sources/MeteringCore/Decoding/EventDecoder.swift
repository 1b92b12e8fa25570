/// Decodes one CloudEvents 1.0 message (structured-mode JSON) against the meter catalog,
/// validating it completely, without `JSONDecoder` and without allocating per event.
///
/// `decode` either accepts the event — its attributes, time, type and every value its meters
/// read are then available until the next `decode` — or returns the rejection reason of
/// DESIGN §2. An event is valid for all its meters or for none. Results point into the message
/// buffer, which must stay alive while they are read. One decoder per thread: not Sendable.
public final class EventDecoder {
    public let catalog: MeterCatalog

    /// Attributes of the last accepted event (string spans into the message).
    public private(set) var id = JSONValueRef.missing
    public private(set) var source = JSONValueRef.missing
    public private(set) var subject = JSONValueRef.missing
    public private(set) var type = JSONValueRef.missing
    public private(set) var time = EventTime(seconds: 0, nanoseconds: 0)
    /// Index of the event's type in the catalog.
    public private(set) var eventTypeIndex = 0

    private var specversion = JSONValueRef.missing
    private var timeRef = JSONValueRef.missing
    private var data = JSONValueRef.missing
    private var dataExtractedForType = -1
    private var message: UnsafePointer<UInt8>
    private var messageCount = 0

    private let nesting: UnsafeMutablePointer<UInt8>
    private let slots: UnsafeMutablePointer<JSONValueRef>
    private let quantities: UnsafeMutablePointer<ExactDecimal>
    private let strings = JSONStringDecoder()
    private let keys = JSONStringDecoder(capacity: 256)
    private let placeholder: UnsafeMutablePointer<UInt8> = .allocate(capacity: 1)

    public init(catalog: MeterCatalog) {
        self.catalog = catalog
        nesting = .allocate(capacity: JSONScanner.maximumDepth)
        slots = .allocate(capacity: max(catalog.maximumSlots, 1))
        quantities = .allocate(capacity: max(catalog.maximumMetersPerType, 1))
        message = UnsafePointer(placeholder)
    }

    deinit {
        nesting.deallocate()
        slots.deallocate()
        quantities.deallocate()
        placeholder.deallocate()
    }

    /// Decodes and validates `bytes`. Returns nil when the event is valid.
    public func decode(_ bytes: UnsafeRawBufferPointer) -> RejectionReason? {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return .invalidJSON }
        message = base.assumingMemoryBound(to: UInt8.self)
        messageCount = bytes.count
        specversion = .missing; id = .missing; source = .missing; type = .missing
        subject = .missing; timeRef = .missing; data = .missing
        dataExtractedForType = -1
        var knownType = -1

        var scanner = JSONScanner(bytes: message, count: messageCount, nesting: nesting)
        guard scanner.consume(UInt8(ascii: "{")) else { return .invalidJSON }
        if !scanner.consume(UInt8(ascii: "}")) {
            while true {
                scanner.skipWhitespace()
                guard let key = scanner.scanString(), scanner.consume(UInt8(ascii: ":")) else { return .invalidJSON }
                let attribute = attributeName(key)
                if attribute == .data, knownType >= 0 {
                    guard extractData(&scanner, typeIndex: knownType) else { return .invalidJSON }
                } else {
                    guard let value = scanner.scanValue() else { return .invalidJSON }
                    switch attribute {
                    case .specversion: specversion = value
                    case .id: id = value
                    case .source: source = value
                    case .type:
                        type = value
                        knownType = value.kind == .string ? typeIndex(of: value) : -1
                    case .subject: subject = value
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
        return validate(knownType: knownType)
    }

    private func validate(knownType: Int) -> RejectionReason? {
        guard specversion.kind == .string, specversionIs10 else { return .missingAttribute("specversion") }
        guard isNonEmptyString(id) else { return .missingAttribute("id") }
        guard isNonEmptyString(source) else { return .missingAttribute("source") }
        guard isNonEmptyString(type) else { return .missingAttribute("type") }
        guard isNonEmptyString(subject) else { return .missingAttribute("subject") }
        guard isNonEmptyString(timeRef) else { return .missingAttribute("time") }
        guard let parsed = RFC3339.parse(text(timeRef)) else { return .badTime }
        time = parsed
        guard knownType >= 0 else { return .unknownType }
        eventTypeIndex = knownType
        if dataExtractedForType != knownType {
            // `data` came before `type` (or not at all): visit it again, now that the paths are known.
            clearSlots(typeIndex: knownType)
            if data.kind == .object {
                var scanner = JSONScanner(bytes: message, count: messageCount, nesting: nesting)
                scanner.index = Int(data.start)
                guard extractObject(&scanner, node: 0, schema: catalog.eventTypes[knownType]) else { return .invalidJSON }
            }
        }
        return checkValues(typeIndex: knownType)
    }

    /// Every meter of the type gets the value it needs, or the event is rejected as a whole.
    private func checkValues(typeIndex: Int) -> RejectionReason? {
        let schema = catalog.eventTypes[typeIndex]
        for position in 0..<schema.meterIndices.count {
            let meter = catalog.meters[schema.meterIndices[position]]
            guard let path = meter.valueProperty else { continue }
            let ref = slots[schema.valueSlots[position]]
            if meter.aggregation.readsQuantity {
                guard ref.kind == .number || ref.kind == .string else { return .badValue(path: path.text) }
                switch ExactDecimal.parse(utf8: text(ref)) {
                case .success(let value): quantities[position] = value
                case .failure(.notANumber): return .badValue(path: path.text)
                case .failure(.outOfRange): return .valueOutOfRange
                }
            } else {
                guard ref.kind.isPresentScalar else { return .badValue(path: path.text) }
            }
        }
        return nil
    }

    // MARK: results of the last accepted event

    /// The decoded text of a string, or the text as written of a number or literal; valid until
    /// the next call to `text` or `decode`.
    public func text(_ ref: JSONValueRef) -> UnsafeRawBufferPointer {
        strings.text(of: ref, in: message)
    }

    /// The quantity read by the meter at `position` among its type's meters (a meter that reads one).
    @inline(__always)
    public func quantity(meterPosition position: Int) -> ExactDecimal { quantities[position] }

    /// The value read by the meter at `position` (UNIQUE_COUNT, LATEST, ...), or `.missing`.
    @inline(__always)
    public func value(meterPosition position: Int) -> JSONValueRef {
        let slot = catalog.eventTypes[eventTypeIndex].valueSlots[position]
        return slot < 0 ? .missing : slots[slot]
    }

    /// The value of dimension `dimension` of the meter at `position`, or `.missing`.
    @inline(__always)
    public func dimension(meterPosition position: Int, dimension: Int) -> JSONValueRef {
        slots[catalog.eventTypes[eventTypeIndex].dimensionSlots[position][dimension]]
    }

    /// The raw bytes of a value as written in the message (a string includes no quotes).
    public func rawBytes(_ ref: JSONValueRef) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: message + Int(ref.start), count: ref.length)
    }

    // MARK: scanning helpers

    private var specversionIs10: Bool {
        let value = text(specversion)
        return value.count == 3 && value[0] == UInt8(ascii: "1") && value[1] == UInt8(ascii: ".")
            && value[2] == UInt8(ascii: "0")
    }

    private func isNonEmptyString(_ ref: JSONValueRef) -> Bool { ref.kind == .string && ref.end > ref.start }

    private func typeIndex(of ref: JSONValueRef) -> Int {
        catalog.eventTypeIndex(of: text(ref)) ?? -1
    }

    private func clearSlots(typeIndex: Int) {
        for slot in 0..<catalog.eventTypes[typeIndex].slotCount { slots[slot] = .missing }
        dataExtractedForType = typeIndex
    }

    /// At the value of `data`, with the event's type known: reads the paths while validating.
    private func extractData(_ scanner: inout JSONScanner, typeIndex: Int) -> Bool {
        clearSlots(typeIndex: typeIndex)
        guard let value = scanner.scanScalarOrPeekContainer() else { return false }
        data = value
        guard value.kind == .object else {
            if value.kind == .array { return scanner.scanValue() != nil }
            return true
        }
        return extractObject(&scanner, node: 0, schema: catalog.eventTypes[typeIndex])
    }

    /// At `{` of an object that trie node `node` describes: captures the slots of its members
    /// and descends into the members that lead to deeper paths. Recursion depth is bounded by
    /// the longest configured path.
    private func extractObject(_ scanner: inout JSONScanner, node: Int, schema: EventTypeSchema) -> Bool {
        scanner.index &+= 1
        if scanner.consume(UInt8(ascii: "}")) { return true }
        let children = schema.trie[node].children
        while true {
            scanner.skipWhitespace()
            guard let key = scanner.scanString(), scanner.consume(UInt8(ascii: ":")) else { return false }
            if let child = matchingChild(key, children: children, trie: schema.trie) {
                let target = schema.trie[child]
                guard var value = scanner.scanScalarOrPeekContainer() else { return false }
                resetSubtree(child, trie: schema.trie)   // a repeated key: the last one wins
                if value.kind == .object && !target.children.isEmpty {
                    guard extractObject(&scanner, node: child, schema: schema) else { return false }
                } else if value.kind == .object || value.kind == .array {
                    guard let skipped = scanner.scanValue() else { return false }
                    value = skipped
                }
                if target.slot >= 0 { slots[target.slot] = value }
            } else {
                guard scanner.scanValue() != nil else { return false }
            }
            if scanner.consume(UInt8(ascii: ",")) { continue }
            return scanner.consume(UInt8(ascii: "}"))
        }
    }

    private func resetSubtree(_ node: Int, trie: [PathNode]) {
        if trie[node].slot >= 0 { slots[trie[node].slot] = .missing }
        for child in trie[node].children { resetSubtree(child, trie: trie) }
    }

    private func matchingChild(_ key: JSONValueRef, children: [Int], trie: [PathNode]) -> Int? {
        if children.isEmpty { return nil }
        let name = keys.text(of: key, in: message)
        for child in children where trie[child].name.count == name.count {
            let equal = trie[child].name.withUnsafeBytes { stored in
                name.isEmpty || memcmpEqual(stored.baseAddress!, name.baseAddress!, name.count)
            }
            if equal { return child }
        }
        return nil
    }

    private enum Attribute { case specversion, id, source, type, subject, time, data, other }

    /// Which CloudEvents attribute a top-level key names (its decoded text).
    private func attributeName(_ key: JSONValueRef) -> Attribute {
        let name = keys.text(of: key, in: message)
        @inline(__always) func matches(_ literal: StaticString) -> Bool {
            literal.utf8CodeUnitCount == name.count
                && memcmpEqual(UnsafeRawPointer(literal.utf8Start), name.baseAddress!, name.count)
        }
        switch name.count {
        case 2: return matches("id") ? .id : .other
        case 4: return matches("type") ? .type : matches("time") ? .time : matches("data") ? .data : .other
        case 6: return matches("source") ? .source : .other
        case 7: return matches("subject") ? .subject : .other
        case 11: return matches("specversion") ? .specversion : .other
        default: return .other
        }
    }
}
