import Foundation
import KafkaClient
import MeteringCore
import RatingOracle

/// Hand-written usage events for the billing tests, and their independent rating: quantities
/// recounted with plain integer arithmetic from the events themselves, amounts from the rating
/// oracle (DESIGN §3 on a naive decimal). Nothing here touches the decoder, the aggregator,
/// the rater or the close plan.
struct ScriptedUsage: Sendable {
    /// Three meters without dimensions: COUNT and SUM of API requests, MAX of storage snapshots.
    static let meters: [Meter] = [
        Meter(slug: "api_calls", eventType: "api_request", aggregation: .count),
        Meter(slug: "api_tokens", eventType: "api_request", aggregation: .sum, valueProperty: try! JSONPath("$.tokens")),
        Meter(slug: "storage_gb", eventType: "storage_snapshot", aggregation: .max, valueProperty: try! JSONPath("$.gb")),
    ]

    /// A plan with a graduated tier boundary at 10,000 tokens and a storage minimum of 5.00.
    static let plan = Plan(key: "metered", currency: Currency(code: "USD")!, charges: [
        Charge(meter: "api_calls", model: .unit(unitPrice: ExactDecimal("0.25")!)),
        Charge(meter: "api_tokens", model: .graduated(tiers: [
            PriceTier(upTo: ExactDecimal("10000")!, unitPrice: .zero),
            PriceTier(upTo: nil, unitPrice: ExactDecimal("0.0015")!),
        ])),
        Charge(meter: "storage_gb", model: .volume(tiers: [
            PriceTier(upTo: ExactDecimal("1000")!, unitPrice: ExactDecimal("0.02")!),
            PriceTier(upTo: nil, unitPrice: ExactDecimal("0.015")!),
        ]), minimum: ExactDecimal("5")!),
    ])

    /// Account `acct-NNNNN` is Stripe customer `cus_N`, Lago subscription `sub_N`, Odoo ref `acct-NNNNN`.
    static func account(_ index: Int) -> Account {
        let id = "acct-" + String(format: "%05d", index)
        return Account(id: id, plan: plan.key, odooPartnerRef: id, stripeCustomer: "cus_\(index)",
                       lagoSubscription: "sub_\(index)")
    }

    enum Event: Sendable {
        case request(account: Int, tokens: Int, day: Int)
        case storage(account: Int, gigabytes: Int, day: Int)
    }

    var events: [Event] = []
    private var nextID = 0
    /// Ids are unique across instances too: the pipeline drops a second event with the same
    /// (source, id) as a copy, as it should.
    private let idPrefix = "ev-" + UUID().uuidString.prefix(8) + "-"

    /// Produces `events` (keyed by subject) to the topic and remembers them for the recount.
    mutating func produce(_ batch: [Event], period: BillingPeriod, brokers: String, topic: String) throws {
        let producer = try KafkaProducer(bootstrapServers: brokers, logger: nil)
        for event in batch {
            nextID += 1
            let (index, type, data, day) = Self.fields(event)
            let subject = Self.account(index).id
            let json = #"{"specversion":"1.0","id":"\#(idPrefix)\#(nextID)","source":"billing-test","type":"\#(type)","subject":"\#(subject)","time":"\#(period)-\#(String(format: "%02d", day))T12:00:00Z","data":\#(data)}"#
            try producer.produce(topic: topic, key: Array(subject.utf8), value: Array(json.utf8))
            events.append(event)
        }
        try producer.flush(timeout: .seconds(60))
    }

    private static func fields(_ event: Event) -> (account: Int, type: String, data: String, day: Int) {
        switch event {
        case .request(let account, let tokens, let day): (account, "api_request", #"{"tokens":\#(tokens)}"#, day)
        case .storage(let account, let gigabytes, let day): (account, "storage_snapshot", #"{"gb":\#(gigabytes)}"#, day)
        }
    }

    /// Recounted quantity of every (account id, meter) from `events`, as integers.
    static func quantities(_ events: [Event]) -> [String: [String: Int]] {
        var result: [String: [String: Int]] = [:]
        for event in events {
            switch event {
            case .request(let account, let tokens, _):
                let id = Self.account(account).id
                result[id, default: [:]]["api_calls", default: 0] += 1
                result[id, default: [:]]["api_tokens", default: 0] += tokens
            case .storage(let account, let gigabytes, _):
                let id = Self.account(account).id
                result[id, default: [:]]["storage_gb"] = max(result[id]?["storage_gb"] ?? 0, gigabytes)
            }
        }
        return result
    }

    /// The oracle's amount of a total, in cents.
    static func cents(meter: String, quantity: Int) -> Int64 {
        let charge = plan.charge(for: meter)!
        let text = NaivePricing.ratedText(charge, quantity: ExactDecimal(Int64(quantity)), currency: plan.currency)!
        return Int64(text.replacingOccurrences(of: ".", with: ""))!
    }
}
