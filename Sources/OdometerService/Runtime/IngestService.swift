import Logging
import MeteringCore
import Metrics
import PostgresNIO
import ServiceLifecycle

/// Keeps an ingest pipeline running for `serve`. When a pipeline fails (Kafka or Postgres
/// trouble, a fenced flush), its in-memory deltas are dropped and a fresh pipeline resumes
/// from the offsets in Postgres after a backoff: recovery is the same path as a cold start,
/// so a failure costs time, never correctness. Each phase is reported to `health`.
struct IngestService: Service {
    let makePipeline: @Sendable () throws -> IngestPipeline
    let health: ServeHealth
    let logger: Logger

    func run() async throws {
        var failures = 0
        await withGracefulShutdownHandler {
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                health.pipelineStarting()
                do {
                    try await makePipeline().run()
                    return
                } catch {
                    failures += 1
                    Counter(label: ServeMetric.pipelineRestarts.name).increment()
                    health.pipelineFailed(HealthMessage.of(error), attempt: failures)
                    let delay = Duration.seconds(min(30, 1 << min(failures - 1, 5)))
                    logger.error("ingest pipeline failed; restarting from the offsets in Postgres",
                                 metadata: ["error": "\(error)", "retryIn": "\(delay)"])
                    // A shutdown ends the wait early; the loop then stops.
                    _ = try? await cancelWhenGracefulShutdown { try await Task.sleep(for: delay) }
                }
            }
        } onGracefulShutdown: {
            health.stopping()
        }
    }
}

/// Runs one destination's outbox relay until shutdown.
struct RelayService: Service {
    let relay: OutboxRelay

    func run() async throws {
        // This relay has no circuit breaker yet: its calls always flow.
        DeliveryMetrics.breaker(relay.destination.name, is: .closed)
        do {
            try await cancelWhenGracefulShutdown { try await relay.run() }
        } catch is CancellationError {
            // Shutdown: the relay stops between passes; leases let another instance resume.
        }
    }
}
