public import MeteringCore

/// A realistic, reproducible stream of usage events for `demo`, `produce`, `bench` and tests.
///
/// Five meters over four event types (DESIGN §3 example, extended): API requests with tokens
/// and a model, compute jobs with decimal seconds and a region, storage snapshots and user
/// logins. Accounts are drawn uniformly or from a Zipf law (a few heavy accounts, a long tail).
/// Deterministic for a given seed. Not thread-safe: one generator per producing thread.
public struct UsageWorkload: Sendable {
    public static let meters: [Meter] = [
        Meter(slug: "api_calls", eventType: "api_request", aggregation: .count),
        Meter(slug: "api_tokens", eventType: "api_request", aggregation: .sum,
              valueProperty: try! JSONPath("$.tokens"), groupBy: [.init(name: "model", path: try! JSONPath("$.model"))]),
        Meter(slug: "compute_seconds", eventType: "compute_job", aggregation: .sum,
              valueProperty: try! JSONPath("$.seconds"), groupBy: [.init(name: "region", path: try! JSONPath("$.region"))]),
        Meter(slug: "storage_gb", eventType: "storage_snapshot", aggregation: .max, valueProperty: try! JSONPath("$.gb")),
        Meter(slug: "active_users", eventType: "user_login", aggregation: .uniqueCount, valueProperty: try! JSONPath("$.user")),
    ]

    public static let models = ["gpt-x", "gpt-x-mini", "embed-3"]
    public static let regions = ["eu", "us", "ap"]

    public enum Distribution: String, Sendable { case uniform, zipf }

    /// The Zipf exponent of the account distribution: with 10,000 accounts the heaviest sends
    /// about 6% of all events and the top 100 about 40%.
    public static let zipfExponent = 0.9

    public let accounts: Int
    public let period: BillingPeriod
    public let distribution: Distribution
    /// The events' CloudEvents `source`: with `id` (`evt-<sequence>`) it is their dedup identity,
    /// so streams that should add up (several `produce` runs) need sources of their own.
    public let source: String
    private let periodStart: Int64
    private let periodSeconds: Int64
    private let zipf: ZipfSampler?

    public init(accounts: Int, period: BillingPeriod, distribution: Distribution = .zipf, source: String = "demo") {
        self.accounts = accounts
        self.period = period
        self.distribution = distribution
        self.source = source
        let bounds = PeriodCalendar.utc.bounds(of: period)
        periodStart = bounds.start.seconds
        periodSeconds = bounds.end.seconds - bounds.start.seconds
        zipf = distribution == .zipf ? ZipfSampler(count: accounts, exponent: Self.zipfExponent) : nil
    }

    /// The id of account number `index` (0-based): "acct-00042".
    public static func accountID(_ index: Int) -> String {
        let digits = String(index)
        return "acct-" + String(repeating: "0", count: max(0, 5 - digits.count)) + digits
    }

    /// The event number `sequence`, drawn with `random`.
    public func event(_ sequence: Int, random: inout some RandomNumberGenerator) -> UsageEvent {
        let account = zipf?.sample(using: &random) ?? Int.random(in: 0..<accounts, using: &random)
        let time = periodStart + Int64.random(in: 0..<periodSeconds, using: &random)
        let millis = Int32.random(in: 0..<1000, using: &random)
        let kind: UsageEvent.Kind
        switch Int.random(in: 0..<100, using: &random) {
        case 0..<70:
            kind = .apiRequest(tokens: Int.random(in: 1...4000, using: &random),
                               model: Self.models[Int.random(in: 0..<Self.models.count, using: &random)])
        case 70..<88:
            kind = .computeJob(milliseconds: Int.random(in: 1...600_000, using: &random),
                               region: Self.regions[Int.random(in: 0..<Self.regions.count, using: &random)])
        case 88..<94:
            kind = .storageSnapshot(gigabytes: Int.random(in: 1...5000, using: &random))
        default:
            kind = .userLogin(user: Int.random(in: 0..<50, using: &random))
        }
        return UsageEvent(sequence: sequence, account: account, seconds: time, milliseconds: millis, kind: kind, source: source)
    }
}

/// One generated event, with its fields kept as plain values so tests can recount totals
/// independently of the decoder and the aggregator.
public struct UsageEvent: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case apiRequest(tokens: Int, model: String)
        /// Decimal seconds with three fractional digits, sent as a numeric string.
        case computeJob(milliseconds: Int, region: String)
        case storageSnapshot(gigabytes: Int)
        case userLogin(user: Int)
    }

    public let sequence: Int
    public let account: Int
    public let seconds: Int64
    public let milliseconds: Int32
    public let kind: Kind
    public let source: String

    public init(sequence: Int, account: Int, seconds: Int64, milliseconds: Int32, kind: Kind, source: String = "demo") {
        self.sequence = sequence
        self.account = account
        self.seconds = seconds
        self.milliseconds = milliseconds
        self.kind = kind
        self.source = source
    }

    public var accountID: String { UsageWorkload.accountID(account) }

    /// The CloudEvents JSON of the event, appended to `out`.
    public func render(into out: inout [UInt8]) {
        let time = RFC3339.format(EventTime(seconds: seconds, nanoseconds: milliseconds * 1_000_000))
        let type: String
        let data: String
        switch kind {
        case .apiRequest(let tokens, let model):
            type = "api_request"; data = #"{"tokens":\#(tokens),"model":"\#(model)"}"#
        case .computeJob(let milliseconds, let region):
            let whole = milliseconds / 1000
            let fraction = String(milliseconds % 1000)
            let padded = String(repeating: "0", count: 3 - fraction.count) + fraction
            type = "compute_job"; data = #"{"seconds":"\#(whole).\#(padded)","region":"\#(region)"}"#
        case .storageSnapshot(let gigabytes):
            type = "storage_snapshot"; data = #"{"gb":\#(gigabytes)}"#
        case .userLogin(let user):
            type = "user_login"; data = #"{"user":"user-\#(user)"}"#
        }
        let json = #"{"specversion":"1.0","id":"evt-\#(sequence)","source":"\#(source)","type":"\#(type)","subject":"\#(accountID)","time":"\#(time)","data":\#(data)}"#
        out.append(contentsOf: json.utf8)
    }
}

extension UsageWorkload {
    /// Events `first ..< first + count`, deterministic for `seed`: the producer sends exactly
    /// these, so a test can recount them without reading Kafka.
    public func stream(count: Int, first: Int = 0, seed: UInt64 = 1) -> EventStream {
        EventStream(workload: self, sequence: first, end: first + count, random: SplitMix64(seed: seed &+ UInt64(first)))
    }

    public struct EventStream: Sequence, IteratorProtocol, Sendable {
        let workload: UsageWorkload
        var sequence: Int
        let end: Int
        var random: SplitMix64

        public mutating func next() -> UsageEvent? {
            guard sequence < end else { return nil }
            defer { sequence += 1 }
            return workload.event(sequence, random: &random)
        }
    }
}
