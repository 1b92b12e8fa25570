import Foundation
import Metrics
@testable import OdometerHTTP
import OdometerService
import OdometerTestSupport
import Prometheus
import Testing

/// The exposition `/metrics` serves, checked by Prometheus's own linter. Uses a backend of its
/// own (swift-metrics is bootstrapped only by `serve`).
@Suite struct PrometheusBackendTests {
    /// Every catalogued metric with a sample of its labels and a value.
    static func exposition() -> String {
        let backend = PrometheusBackend()
        backend.registerUnlabeled()
        for metric in ServeMetric.all {
            let labels = metric.labels.map { ($0, "sample-\($0)") }
            switch metric.kind {
            case .counter: backend.makeCounter(label: metric.name, dimensions: labels).increment(by: 3)
            case .gauge: backend.makeRecorder(label: metric.name, dimensions: labels, aggregate: false).record(Int64(2))
            case .histogram where metric.name.hasSuffix("_seconds"):
                backend.makeTimer(label: metric.name, dimensions: labels).recordNanoseconds(30_000_000)
            case .histogram: backend.makeRecorder(label: metric.name, dimensions: labels, aggregate: true).record(Int64(1500))
            }
        }
        return backend.exposition()
    }

    @Test func theExpositionPassesPromtool() throws {
        let result = try Promtool.checkMetrics(Self.exposition())
        #expect(result.status == 0, "promtool check metrics: \(result.output)")
        #expect(result.output.isEmpty, "promtool found problems: \(result.output)")
    }

    @Test func everyMetricHasItsCatalogHelpAndItsBuckets() {
        let text = Self.exposition()
        for metric in ServeMetric.all {
            #expect(text.contains("# HELP \(metric.name) \(metric.help)\n"), "\(metric.name)")
            #expect(text.contains("# TYPE \(metric.name) \(metric.kind.rawValue)\n"), "\(metric.name)")
        }
        #expect(text.contains("odometer_flush_duration_seconds_bucket{le=\"0.025\"} 0\n"))
        #expect(text.contains("odometer_flush_duration_seconds_bucket{le=\"0.05\"} 1\n"))
        #expect(text.contains("odometer_flush_rows_bucket{le=\"10000.0\"} 1\n") || text.contains("odometer_flush_rows_bucket{le=\"10000\"} 1\n"))
    }

    @Test func namesFollowPrometheusConventions() {
        for metric in ServeMetric.all {
            #expect(metric.name.hasPrefix("odometer_"))
            #expect(metric.name == metric.name.lowercased())
            #expect((metric.kind == .counter) == metric.name.hasSuffix("_total"), "\(metric.name)")
            #expect(!metric.name.contains("milliseconds") && !metric.name.hasSuffix("_ms"))
        }
    }

    @Test func aMetricOutsideTheCatalogSaysSo() {
        let backend = PrometheusBackend()
        backend.makeCounter(label: "odometer_surprise_total", dimensions: []).increment(by: 1)
        #expect(backend.exposition().contains("# HELP odometer_surprise_total odometer_surprise_total (not in Odometer's metric catalog)"))
    }
}
