import OdometerService

/// One latency measurement of `odometer bench`: from a message's Kafka append to the commit of
/// its total, at a load offered by a producer of its own, beside the load it achieved.
public struct BenchLatency: Sendable, Equatable {
    public var offeredPerSecond: Double
    public var achievedPerSecond: Double
    public var p50Milliseconds: Double
    public var p99Milliseconds: Double
    public var samples: Int

    public init(offeredPerSecond: Double, achievedPerSecond: Double, p50Milliseconds: Double, p99Milliseconds: Double,
                samples: Int) {
        self.offeredPerSecond = offeredPerSecond
        self.achievedPerSecond = achievedPerSecond
        self.p50Milliseconds = p50Milliseconds
        self.p99Milliseconds = p99Milliseconds
        self.samples = samples
    }

    /// Whether the producer sent what was offered (within 5%): otherwise the machine could not
    /// offer that load beside the pipeline, and the figure is the latency at the load achieved.
    public var reachedOffered: Bool { achievedPerSecond >= 0.95 * offeredPerSecond }

    /// The load to offer for a measurement the producer reaches, after this one did not: 80% of
    /// what it achieved, in whole 10,000s (nil when this one reached its offered load).
    public var reachableRate: Int? {
        guard !reachedOffered else { return nil }
        return max(10_000, Int(0.8 * achievedPerSecond) / 10_000 * 10_000)
    }

    var note: String {
        "\(samples) sampled events, offered \(BenchReport.rate(offeredPerSecond))/s, produced at \(BenchReport.rate(achievedPerSecond))/s"
    }

    var sentence: String {
        "p50 \(Int(p50Milliseconds.rounded())) ms, p99 \(Int(p99Milliseconds.rounded())) ms (\(note))"
    }

    /// The fields of its JSON object, after `p50` and `p99` (DESIGN §8's `latency_ms`).
    var jsonFields: String {
        "\"p50\": \(Int(p50Milliseconds.rounded())), \"p99\": \(Int(p99Milliseconds.rounded())), "
            + "\"offered_per_s\": \(Int(offeredPerSecond.rounded())), \"achieved_per_s\": \(Int(achievedPerSecond.rounded())), "
            + "\"samples\": \(samples), \"note\": \(UsageReport.quoted(note))"
    }
}
