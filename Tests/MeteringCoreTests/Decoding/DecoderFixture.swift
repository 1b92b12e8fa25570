@testable import MeteringCore

/// Meters shaped like DESIGN §3's example, plus nested and unique-count paths, for decoder tests.
enum DecoderFixture {
    static let meters: [Meter] = [
        Meter(slug: "api_tokens", eventType: "api_request", aggregation: .sum,
              valueProperty: try! JSONPath("$.tokens"),
              groupBy: [.init(name: "model", path: try! JSONPath("$.model"))]),
        Meter(slug: "api_calls", eventType: "api_request", aggregation: .count),
        Meter(slug: "seats", eventType: "seat_snapshot", aggregation: .max, valueProperty: try! JSONPath("$.seats")),
        Meter(slug: "nested", eventType: "nested_usage", aggregation: .sum,
              valueProperty: try! JSONPath("$.usage.tokens"),
              groupBy: [.init(name: "region", path: try! JSONPath("$.usage.where.region"))]),
        Meter(slug: "users", eventType: "login", aggregation: .uniqueCount, valueProperty: try! JSONPath("$.user")),
        Meter(slug: "pings", eventType: "ping", aggregation: .count),
    ]

    static let catalog = MeterCatalog(meters: meters)

    /// Decodes `json` with a fresh decoder and hands the decoder to `inspect` when valid.
    static func decode(_ json: String, inspect: (EventDecoder) -> Void = { _ in }) -> RejectionReason? {
        let decoder = EventDecoder(catalog: catalog)
        let bytes = Array(json.utf8)
        return bytes.withUnsafeBytes { buffer in
            let reason = decoder.decode(buffer)
            if reason == nil { inspect(decoder) }
            return reason
        }
    }

    static func event(type: String = "api_request", subject: String = "\"acct-42\"",
                      time: String = "\"2026-11-05T10:00:00.123Z\"", data: String = #"{"tokens":1234,"model":"gpt-x"}"#) -> String {
        #"{"specversion":"1.0","id":"evt-1","source":"api-gateway","type":"\#(type)","subject":\#(subject),"time":\#(time),"data":\#(data)}"#
    }
}

extension EventDecoder {
    func string(_ ref: JSONValueRef) -> String { String(decoding: text(ref), as: UTF8.self) }
}
