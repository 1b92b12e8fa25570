public import CoreMetrics
import Metrics
import OdometerService
public import Prometheus

/// swift-metrics → Prometheus, with the help text and histogram buckets of `ServeMetric`.
///
/// swift-prometheus's own factory registers every metric without help text, which
/// `promtool check metrics` refuses; this one takes the help and buckets from the catalog.
/// A metric missing from the catalog is still exposed, with a help text that says so.
public struct PrometheusBackend: MetricsFactory {
    public let registry: PrometheusCollectorRegistry

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
    }

    /// Bootstraps swift-metrics with a new registry (once per process: `serve` only), registers
    /// the unlabeled metrics at zero so dashboards see them before the first flush, and returns
    /// the backend whose registry `/metrics` emits.
    public static func bootstrap() -> PrometheusBackend {
        let backend = PrometheusBackend()
        MetricsSystem.bootstrap(backend)
        backend.registerUnlabeled()
        return backend
    }

    /// Creates every catalogued metric that has no labels, at zero.
    public func registerUnlabeled() {
        for metric in ServeMetric.all where metric.labels.isEmpty {
            switch metric.kind {
            case .counter: _ = makeCounter(label: metric.name, dimensions: [])
            case .gauge: _ = makeRecorder(label: metric.name, dimensions: [], aggregate: false)
            case .histogram where metric.name.hasSuffix("_seconds"): _ = makeTimer(label: metric.name, dimensions: [])
            case .histogram: _ = makeRecorder(label: metric.name, dimensions: [], aggregate: true)
            }
        }
    }

    /// The text exposition of every registered metric.
    public func exposition() -> String { registry.emitToString() }

    private static func descriptor(_ label: String) -> MetricNameDescriptor {
        let help = ServeMetric.named(label)?.help ?? "\(label) (not in Odometer's metric catalog)"
        return MetricNameDescriptor(metricName: label, unitName: "", helpText: help)
    }

    private static func buckets(_ label: String) -> [Double] {
        ServeMetric.named(label)?.buckets ?? [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000]
    }

    public func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        registry.makeCounter(descriptor: Self.descriptor(label), labels: dimensions)
    }

    public func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        registry.makeCounter(descriptor: Self.descriptor(label), labels: dimensions)
    }

    public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        guard aggregate else { return registry.makeGauge(descriptor: Self.descriptor(label), labels: dimensions) }
        return registry.makeValueHistogram(descriptor: Self.descriptor(label), labels: dimensions,
                                           buckets: Self.buckets(label))
    }

    public func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        registry.makeGauge(descriptor: Self.descriptor(label), labels: dimensions)
    }

    public func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        let buckets = (ServeMetric.named(label)?.buckets ?? [0.001, 0.01, 0.1, 1, 10, 100]).map { Duration.seconds($0) }
        return registry.makeDurationHistogram(descriptor: Self.descriptor(label), labels: dimensions, buckets: buckets)
    }

    public func destroyCounter(_ handler: any CounterHandler) {
        if let counter = handler as? Prometheus.Counter { registry.unregisterCounter(counter) }
    }

    public func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {
        if let counter = handler as? Prometheus.Counter { registry.unregisterCounter(counter) }
    }

    public func destroyRecorder(_ handler: any RecorderHandler) {
        if let gauge = handler as? Prometheus.Gauge { registry.unregisterGauge(gauge) }
        if let histogram = handler as? ValueHistogram { registry.unregisterValueHistogram(histogram) }
    }

    public func destroyMeter(_ handler: any MeterHandler) {
        if let gauge = handler as? Prometheus.Gauge { registry.unregisterGauge(gauge) }
    }

    public func destroyTimer(_ handler: any TimerHandler) {
        if let histogram = handler as? DurationHistogram { registry.unregisterDurationHistogram(histogram) }
    }
}
