import Foundation

/// An invoice item as the fake Stripe holds it. Amounts are integer minor units, as Stripe's.
public struct StripeFakeItem: Sendable, Hashable {
    public var id: String
    public var customer: String
    /// Lower case, as Stripe stores it.
    public var currency: String
    public var amount: Int64
    public var description: String
    public var periodStart: Int64
    public var periodEnd: Int64
    public var metadata: [String: String]

    var json: FakeJSON {
        .object(["id": .string(id), "object": .string("invoiceitem"), "customer": .string(customer),
                 "currency": .string(currency), "amount": .number(Decimal(amount)),
                 "description": .string(description),
                 "period": .object(["start": .number(Decimal(periodStart)), "end": .number(Decimal(periodEnd))]),
                 "metadata": .object(metadata.mapValues(FakeJSON.string))])
    }
}

/// A billing meter event as the fake Stripe holds it.
public struct StripeFakeMeterEvent: Sendable, Hashable {
    public var identifier: String
    public var eventName: String
    public var customer: String
    /// Decimal text as sent.
    public var value: String
    public var timestamp: Int64

    var json: FakeJSON {
        .object(["object": .string("billing.meter_event"), "identifier": .string(identifier),
                 "event_name": .string(eventName), "timestamp": .number(Decimal(timestamp)),
                 "payload": .object(["stripe_customer_id": .string(customer), "value": .string(value)])])
    }
}

/// A Stripe error: the status and the `{"error":{…}}` body, never stored under a key.
struct StripeFakeError: Error, Sendable {
    var status: Int
    var type: String
    var code: String?
    var message: String
    var param: String?
    var shouldRetry: Bool?

    var response: FakeHTTPResponse {
        var error: [String: FakeJSON] = ["type": .string(type), "message": .string(message)]
        if let code { error["code"] = .string(code) }
        if let param { error["param"] = .string(param) }
        var response = FakeHTTPResponse.json(.object(["error": .object(error)]), status: status)
        if let shouldRetry { response.headers["Stripe-Should-Retry"] = shouldRetry ? "true" : "false" }
        return response
    }

    static func invalid(_ message: String, param: String? = nil, code: String? = nil) -> Self {
        .init(status: 400, type: "invalid_request_error", code: code, message: message, param: param)
    }
}

/// The fake Stripe account: customers, invoice items, meter events and the idempotency store,
/// with the operations the endpoint runs on them. A value type owned by ``StripeFake`` behind
/// its mutex; an operation checks everything before it changes anything, so one that throws
/// changes nothing.
struct StripeFakeLedger: Sendable {
    struct StoredAnswer: Sendable {
        var endpoint: String
        var parameters: [[String]]
        var status: Int
        var body: [UInt8]
    }

    /// Customer id → its currency, fixed by its first invoice item.
    var customers: [String: String?] = [:]
    var items: [StripeFakeItem] = []
    /// Pending invoice items per customer: the upcoming invoice holds at most 250.
    var itemCounts: [String: Int] = [:]
    var meterEvents: [String: StripeFakeMeterEvent] = [:]
    var answers: [String: StoredAnswer] = [:]
    var inFlight: Set<String> = []
    var nextItemNumber = 1

    mutating func createItem(_ form: StripeFakeForm) throws(StripeFakeError) -> FakeJSON {
        guard let customer = form["customer"], !customer.isEmpty else {
            throw .invalid("Missing required param: customer.", param: "customer", code: "parameter_missing")
        }
        guard let known = customers[customer] else {
            throw .invalid("No such customer: '\(customer)'", param: "customer", code: "resource_missing")
        }
        guard let currency = form["currency"], currency.count == 3, currency == currency.lowercased() else {
            throw .invalid("Invalid currency: \(form["currency"] ?? ""). Stripe currently supports these currencies: usd, eur, …",
                           param: "currency", code: "parameter_invalid_string")
        }
        if let fixed = known, fixed != currency {
            throw .invalid("You cannot combine currencies on a single customer. This customer has had a subscription, "
                + "coupon, or invoice item with currency \(fixed)", param: "currency")
        }
        guard let amountText = form["amount"], let amount = Int64(amountText) else {
            throw .invalid("Invalid integer: \(form["amount"] ?? "")", param: "amount", code: "parameter_invalid_integer")
        }
        let period = form.nested("period")
        guard let start = period["start"].flatMap({ Int64($0) }), let end = period["end"].flatMap({ Int64($0) }), start <= end else {
            throw .invalid("Invalid period: period[start] and period[end] must be timestamps, start ≤ end", param: "period")
        }
        let metadata = form.nested("metadata")
        if metadata.count > 50 { throw .invalid("Metadata can have at most 50 keys.", param: "metadata") }
        if let long = metadata.first(where: { $0.key.count > 40 || $0.value.count > 500 }) {
            throw .invalid("Metadata key \(long.key) or its value is too long (keys ≤ 40, values ≤ 500 characters).",
                           param: "metadata[\(long.key)]")
        }
        if itemCounts[customer, default: 0] >= 250 {
            throw .invalid("This customer's upcoming invoice already has 250 invoice items, the most an invoice can hold.",
                           param: "customer")
        }
        let item = StripeFakeItem(id: "ii_fake\(String(format: "%08d", nextItemNumber))", customer: customer,
                                  currency: currency, amount: amount, description: form["description"] ?? "",
                                  periodStart: start, periodEnd: end, metadata: metadata)
        nextItemNumber += 1
        customers[customer] = currency
        itemCounts[customer, default: 0] += 1
        items.append(item)
        return item.json
    }

    mutating func createMeterEvent(_ form: StripeFakeForm, now: Int64) throws(StripeFakeError) -> FakeJSON {
        guard let name = form["event_name"], !name.isEmpty else {
            throw .invalid("Missing required param: event_name.", param: "event_name", code: "parameter_missing")
        }
        let payload = form.nested("payload")
        guard let customer = payload["stripe_customer_id"], customers[customer] != nil else {
            throw .invalid("No such customer: '\(payload["stripe_customer_id"] ?? "")'",
                           param: "payload[stripe_customer_id]", code: "resource_missing")
        }
        guard let value = payload["value"], let number = Decimal(string: value), "\(number)" != "NaN" else {
            throw .invalid("Invalid value: payload[value] must be a number.", param: "payload[value]")
        }
        guard Self.significantDigits(value) <= 15 else {
            throw .invalid("payload[value] may have at most 15 significant digits.", param: "payload[value]")
        }
        guard let identifier = form["identifier"], !identifier.isEmpty, identifier.count <= 100 else {
            throw .invalid("identifier must be 1 to 100 characters.", param: "identifier")
        }
        guard let timestamp = form["timestamp"].flatMap({ Int64($0) }),
              timestamp >= now - 35 * 86_400, timestamp <= now + 300 else {
            throw .invalid("Timestamp must be within the past 35 days and not more than 5 minutes in the future.",
                           param: "timestamp")
        }
        if meterEvents[identifier] != nil {
            var error = StripeFakeError.invalid("An event already exists with identifier \(identifier).", param: "identifier")
            error.shouldRetry = false
            throw error
        }
        let event = StripeFakeMeterEvent(identifier: identifier, eventName: name, customer: customer, value: value,
                                         timestamp: timestamp)
        meterEvents[identifier] = event
        return event.json
    }

    /// `GET /v1/invoiceitems`: newest first, `limit` (≤ 100) per page after `starting_after`.
    func list(_ query: StripeFakeForm) -> FakeJSON {
        var found = items.reversed().filter { query["customer"] == nil || $0.customer == query["customer"] }
        if let after = query["starting_after"], let index = found.firstIndex(where: { $0.id == after }) {
            found = Array(found[(index + 1)...])
        }
        let limit = min(max(query["limit"].flatMap { Int($0) } ?? 10, 1), 100)
        return .object(["object": .string("list"), "url": .string("/v1/invoiceitems"),
                        "has_more": .bool(found.count > limit), "data": .array(found.prefix(limit).map(\.json))])
    }

    /// Significant digits of decimal text, whole-number zeros included: `1500` → 4, `0.0012` → 2.
    static func significantDigits(_ text: String) -> Int {
        let parts = text.drop { $0 == "-" }.split(separator: ".", omittingEmptySubsequences: false)
        let whole = parts[0].drop { $0 == "0" }
        var fraction = parts.count > 1 ? parts[1] : ""
        while fraction.last == "0" { fraction = fraction.dropLast() }
        return whole.isEmpty ? fraction.drop { $0 == "0" }.count : whole.count + fraction.count
    }
}
