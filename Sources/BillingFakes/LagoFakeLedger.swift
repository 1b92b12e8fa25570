import Foundation

/// A usage event as the fake Lago stored it.
public struct LagoFakeEvent: Sendable, Hashable {
    public var lagoID: String
    public var transactionID: String
    public var subscription: String
    public var code: String
    public var timestamp: Int64?
    public var properties: [String: String]
    /// Decimal text as sent; nil when absent, or dropped by an old Lago.
    public var preciseTotalAmountCents: String?

    var json: FakeJSON {
        .object(["lago_id": .string(lagoID), "transaction_id": .string(transactionID),
                 "external_subscription_id": .string(subscription), "code": .string(code),
                 "timestamp": timestamp.map { .number(Decimal($0)) } ?? .null,
                 "properties": .object(properties.mapValues(FakeJSON.string)),
                 "precise_total_amount_cents": preciseTotalAmountCents.map(FakeJSON.string) ?? .null])
    }
}

/// How a Lago answers a `transaction_id` it already holds for the subscription.
public enum LagoDuplicateAnswer: Sendable, Hashable {
    /// `422 … {"<index>":{"transaction_id":["value_already_exist"]}}`, the batch refused.
    case validationError
    /// A 200, the duplicate dropped (newer ingestion).
    case silentSuccess
}

/// The fake Lago organization: stored events and the batch operation on them. A value type
/// owned by ``LagoFake`` behind its mutex; a refused batch changes nothing (every event is
/// checked before any is stored).
struct LagoFakeLedger: Sendable {
    /// Keyed by subscription and transaction id (unique per organization and subscription).
    var events: [String: LagoFakeEvent] = [:]
    var order: [String] = []
    /// How many times each transaction id was received again after it was stored.
    var duplicatesReceived: [String: Int] = [:]
    var duplicateAnswer = LagoDuplicateAnswer.validationError
    /// Old Lago versions drop `precise_total_amount_cents` from batched events.
    var dropsPreciseAmounts = false
    /// Transaction ids refused with these field errors (fault injection), e.g. `code: ["metric_not_found"]`.
    var refusals: [String: [String: [String]]] = [:]
    var nextNumber = 1

    enum BatchRefusal: Error {
        case validation([String: FakeJSON])
    }

    /// All or nothing: every event is checked before any is stored.
    mutating func ingest(_ batch: [FakeJSON]) throws(BatchRefusal) -> [LagoFakeEvent] {
        guard !batch.isEmpty else { throw .validation(["events": .array([.string("no_events")])]) }
        guard batch.count <= 100 else { throw .validation(["events": .array([.string("too_many_events")])]) }
        var details: [String: FakeJSON] = [:]
        var seenInBatch: Set<String> = []
        for (index, event) in batch.enumerated() {
            var fields: [String: [String]] = [:]
            for field in ["transaction_id", "external_subscription_id", "code"]
            where (event[field]?.stringValue ?? "").isEmpty {
                fields[field] = ["value_is_mandatory"]
            }
            if let timestamp = event["timestamp"], timestamp.decimalValue == nil, Decimal(string: timestamp.stringValue ?? "") == nil {
                fields["timestamp"] = ["invalid_timestamp"]
            }
            if let amount = event["precise_total_amount_cents"], amount != .null,
               amount.stringValue.flatMap({ Decimal(string: $0) }) == nil && amount.decimalValue == nil {
                fields["precise_total_amount_cents"] = ["value_is_invalid"]
            }
            let transaction = event["transaction_id"]?.stringValue ?? ""
            let key = Self.key(event["external_subscription_id"]?.stringValue ?? "", transaction)
            if let refusal = refusals[transaction] { fields.merge(refusal) { $0 + $1 } }
            if duplicateAnswer == .validationError && (events[key] != nil || !seenInBatch.insert(key).inserted) {
                fields["transaction_id", default: []].append("value_already_exist")
            }
            if !fields.isEmpty { details[String(index)] = .object(fields.mapValues { .array($0.map(FakeJSON.string)) }) }
        }
        guard details.isEmpty else { throw .validation(details) }
        var stored: [LagoFakeEvent] = []
        for event in batch {
            let transaction = event["transaction_id"]!.stringValue!
            let subscription = event["external_subscription_id"]!.stringValue!
            let key = Self.key(subscription, transaction)
            if let existing = events[key] {
                duplicatesReceived[transaction, default: 0] += 1
                stored.append(existing)
                continue
            }
            var properties: [String: String] = [:]
            for (name, value) in event["properties"]?.objectValue ?? [:] {
                properties[name] = value.stringValue ?? value.decimalValue.map { "\($0)" } ?? ""
            }
            let amount = event["precise_total_amount_cents"].flatMap { $0.stringValue ?? $0.decimalValue.map { "\($0)" } }
            let record = LagoFakeEvent(
                lagoID: String(format: "1a900000-0000-4000-8000-%012d", nextNumber), transactionID: transaction,
                subscription: subscription, code: event["code"]!.stringValue!,
                timestamp: event["timestamp"]?.intValue.map(Int64.init) ?? event["timestamp"]?.stringValue.flatMap { Int64($0) },
                properties: properties, preciseTotalAmountCents: dropsPreciseAmounts ? nil : amount)
            nextNumber += 1
            events[key] = record
            order.append(key)
            stored.append(record)
        }
        return stored
    }

    func event(transactionID: String) -> LagoFakeEvent? {
        order.lazy.compactMap { events[$0] }.first { $0.transactionID == transactionID }
    }

    private static func key(_ subscription: String, _ transaction: String) -> String {
        subscription + "\u{0}" + transaction
    }
}
