import OdometerService
import MeteringCore
import MeteringWorkload

/// What the sustained run must find in Postgres, recounted from the generated events' own fields
/// with integers (no decoder, no aggregator): per meter, the events and the sum over keys of each
/// key's quantity (COUNT, SUM of tokens, SUM of compute milliseconds, MAX of gigabytes, distinct
/// users). Every cycle of the corpus adds the same events again under new ids, so COUNT and SUM
/// grow with each cycle while MAX and UNIQUE_COUNT do not.
struct CorpusRecount: Sendable, Equatable {
    /// meter → (events, quantity as exact decimal text).
    var meters: [String: (events: Int, quantity: String)]

    static func == (lhs: CorpusRecount, rhs: CorpusRecount) -> Bool {
        lhs.meters.keys.sorted() == rhs.meters.keys.sorted()
            && lhs.meters.allSatisfy { meter, figure in rhs.meters[meter].map { $0 == figure } ?? false }
    }

    /// The recount of `produced` messages of `corpus` sent in order, cycle after cycle.
    init(corpus: RenderedCorpus, produced: Int) {
        let cycles = produced / corpus.count
        let remainder = produced % corpus.count
        func counts(_ events: ArraySlice<UsageEvent>) -> (calls: Int, tokens: Int, computeEvents: Int, computeMilliseconds: Int,
                                                         storageEvents: Int, logins: Int) {
            var result = (calls: 0, tokens: 0, computeEvents: 0, computeMilliseconds: 0, storageEvents: 0, logins: 0)
            for event in events {
                switch event.kind {
                case .apiRequest(let tokens, _): result.calls += 1; result.tokens += tokens
                case .computeJob(let milliseconds, _): result.computeEvents += 1; result.computeMilliseconds += milliseconds
                case .storageSnapshot: result.storageEvents += 1
                case .userLogin: result.logins += 1
                }
            }
            return result
        }
        let whole = counts(corpus.events[...])
        let part = counts(corpus.events[..<remainder])
        let sent = cycles > 0 ? corpus.events[...] : corpus.events[..<remainder]
        var maxima: [String: Int] = [:]
        var users: [String: Set<Int>] = [:]
        for event in sent {
            switch event.kind {
            case .storageSnapshot(let gigabytes): maxima[event.accountID] = max(maxima[event.accountID] ?? 0, gigabytes)
            case .userLogin(let user): users[event.accountID, default: []].insert(user)
            default: break
            }
        }
        let milliseconds = whole.computeMilliseconds * cycles + part.computeMilliseconds
        meters = [
            "api_calls": (whole.calls * cycles + part.calls, String(whole.calls * cycles + part.calls)),
            "api_tokens": (whole.calls * cycles + part.calls, String(whole.tokens * cycles + part.tokens)),
            "compute_seconds": (whole.computeEvents * cycles + part.computeEvents, Self.thousandths(milliseconds)),
            "storage_gb": (whole.storageEvents * cycles + part.storageEvents, String(maxima.values.reduce(0, +))),
            "active_users": (whole.logins * cycles + part.logins, String(users.values.reduce(0) { $0 + $1.count })),
        ]
    }

    init(meters: [String: (events: Int, quantity: String)]) { self.meters = meters }

    /// Thousandths as decimal text without trailing zeros ("12.5", "3").
    static func thousandths(_ value: Int) -> String {
        guard value % 1000 != 0 else { return String(value / 1000) }
        var fraction = String(value % 1000)
        fraction = String(repeating: "0", count: 3 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return "\(value / 1000).\(fraction)"
    }
}
