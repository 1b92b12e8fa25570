import Metrics

/// The position of a destination's circuit breaker, as `odometer_destination_breaker_state`
/// reports it.
public enum BreakerPosition: Int, Sendable {
    /// Calls flow.
    case closed = 0
    /// One trial call is let through.
    case halfOpen = 1
    /// Calls are stopped until the breaker's cool-down ends.
    case open = 2
}

/// The delivery side's metrics: outcomes and retries per destination, and breaker state.
/// Stateless; safe from any thread.
public enum DeliveryMetrics {
    /// A document the destination accepted.
    public static func delivered(_ destination: String, count: Int = 1) {
        Counter(label: ServeMetric.deliveries.name, dimensions: [("destination", destination), ("outcome", "delivered")])
            .increment(by: count)
    }

    /// A document the destination refused for good (status `failed`).
    public static func failed(_ destination: String, count: Int = 1) {
        Counter(label: ServeMetric.deliveries.name, dimensions: [("destination", destination), ("outcome", "failed")])
            .increment(by: count)
    }

    /// A document rescheduled after a transient failure.
    public static func retried(_ destination: String, count: Int = 1) {
        Counter(label: ServeMetric.deliveryRetries.name, dimensions: [("destination", destination)]).increment(by: count)
    }

    /// Reports a breaker's position; call on every transition (a relay without a breaker
    /// reports `.closed` once: its calls always flow).
    public static func breaker(_ destination: String, is position: BreakerPosition) {
        Gauge(label: ServeMetric.breakerState.name, dimensions: [("destination", destination)])
            .record(position.rawValue)
    }
}
