/// Samples of the metered-events count over the last minutes, and the rates between them:
/// the status page's "throughput now" and its chart. A ring of at most `capacity` samples,
/// oldest dropped first; a plain value (its owner serialises access).
public struct ThroughputHistory: Sendable, Equatable {
    /// Events per second over one interval between two samples, ending `secondsAgo` before the latest sample.
    public struct Rate: Sendable, Equatable {
        public var secondsAgo: Double
        public var eventsPerSecond: Double
    }

    private struct Sample: Sendable, Equatable {
        var at: ContinuousClock.Instant
        var metered: Int
    }

    public let capacity: Int
    private var samples: [Sample] = []
    private var head = 0   // index of the oldest sample once the ring is full

    /// - Parameter capacity: samples kept, e.g. 181 for 15 minutes every 5 s.
    public init(capacity: Int) {
        precondition(capacity >= 2, "a rate needs two samples")
        self.capacity = capacity
    }

    /// Adds the metered count as of `instant` (instants must not go backwards).
    public mutating func record(metered: Int, at instant: ContinuousClock.Instant) {
        let sample = Sample(at: instant, metered: metered)
        if samples.count < capacity {
            samples.append(sample)
        } else {
            samples[head] = sample
            head = (head + 1) % capacity
        }
    }

    private var ordered: [Sample] { Array(samples[head...] + samples[..<head]) }

    /// The rate between each pair of consecutive samples, oldest first.
    public var rates: [Rate] {
        let ordered = ordered
        guard let latest = ordered.last else { return [] }
        return zip(ordered, ordered.dropFirst()).map { earlier, later in
            Rate(secondsAgo: Self.seconds(later.at.duration(to: latest.at)),
                 eventsPerSecond: Self.rate(from: earlier, to: later))
        }
    }

    /// The rate over the last interval; nil before two samples.
    public var current: Double? { rates.last?.eventsPerSecond }

    /// The average rate over the samples within `span` of the latest; nil before two samples.
    public func average(over span: Duration) -> Double? {
        let ordered = ordered
        guard let latest = ordered.last,
              let first = ordered.first(where: { $0.at.duration(to: latest.at) <= span }), first != latest else { return nil }
        return Self.rate(from: first, to: latest)
    }

    /// Time covered by the samples.
    public var span: Duration {
        let ordered = ordered
        guard let first = ordered.first, let last = ordered.last else { return .zero }
        return first.at.duration(to: last.at)
    }

    private static func rate(from earlier: Sample, to later: Sample) -> Double {
        let seconds = seconds(earlier.at.duration(to: later.at))
        return seconds > 0 ? Double(later.metered - earlier.metered) / seconds : 0
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
