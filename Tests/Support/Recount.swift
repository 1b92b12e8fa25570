public import MeteringWorkload

/// An independent recount of what the pipeline must report, made from the generated events
/// themselves with plain integer arithmetic: no decoder, no aggregator, no decimal type.
public struct Recount: Sendable {
    public struct Figure: Hashable, Sendable, CustomStringConvertible {
        public var quantity: String
        public var events: Int
        public var description: String { "\(quantity) (\(events) events)" }
        public init(quantity: String, events: Int) {
            self.quantity = quantity
            self.events = events
        }
    }

    private var sums: [String: Int] = [:]        // COUNT, SUM of integers, MAX
    private var milliseconds: [String: Int] = [:] // compute seconds, in thousandths
    private var users: [String: Set<Int>] = [:]
    private var events: [String: Int] = [:]
    public let period: String

    public init(period: String) { self.period = period }

    public static func key(account: String, meter: String, period: String, dimensions: [String: String]) -> String {
        let dims = dimensions.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        return "\(account)|\(meter)|\(period)|\(dims)"
    }

    public mutating func add(_ event: UsageEvent) {
        let account = event.accountID
        eventCount += 1
        func key(_ meter: String, _ dimensions: [String: String] = [:]) -> String {
            Self.key(account: account, meter: meter, period: period, dimensions: dimensions)
        }
        switch event.kind {
        case .apiRequest(let tokens, let model):
            sums[key("api_calls"), default: 0] += 1
            events[key("api_calls"), default: 0] += 1
            sums[key("api_tokens", ["model": model]), default: 0] += tokens
            events[key("api_tokens", ["model": model]), default: 0] += 1
        case .computeJob(let ms, let region):
            milliseconds[key("compute_seconds", ["region": region]), default: 0] += ms
            events[key("compute_seconds", ["region": region]), default: 0] += 1
        case .storageSnapshot(let gigabytes):
            sums[key("storage_gb")] = max(sums[key("storage_gb")] ?? 0, gigabytes)
            events[key("storage_gb"), default: 0] += 1
        case .userLogin(let user):
            users[key("active_users"), default: []].insert(user)
            events[key("active_users"), default: 0] += 1
        }
    }

    /// Events added (each may feed several meters).
    public private(set) var eventCount = 0

    /// Every row, as `usage` must print it.
    public var figures: [String: Figure] {
        var result: [String: Figure] = [:]
        for (key, value) in sums { result[key] = Figure(quantity: String(value), events: events[key]!) }
        for (key, value) in milliseconds {
            let fraction = value % 1000
            var text = String(value / 1000)
            if fraction != 0 {
                var digits = String(fraction)
                digits = String(repeating: "0", count: 3 - digits.count) + digits
                while digits.hasSuffix("0") { digits.removeLast() }
                text += "." + digits
            }
            result[key] = Figure(quantity: text, events: events[key]!)
        }
        for (key, value) in users { result[key] = Figure(quantity: String(value.count), events: events[key]!) }
        return result
    }
}
