import Logging
import MeteringCore
import Metrics
import PostgresNIO
import ServiceLifecycle

/// Keeps an ingest pipeline running for `serve`. When a pipeline fails (Kafka or Postgres
/// trouble, a fenced flush), its in-memory deltas are dropped and a fresh pipeline resumes
/// from the offsets in Postgres after a backoff (1 s, doubling to 16 s, and back to 1 s after a
/// minute of health): recovery is the same path as a cold start, so a failure costs time,
/// never correctness. An operator's offsets reset restarts it at once. Each phase is reported
/// to `health`.
struct IngestService: Service {
    let makePipeline: @Sendable () throws -> IngestPipeline
    let health: ServeHealth
    let logger: Logger
    let clock = ContinuousClock()

    func run() async throws {
        var failures = 0
        try await withGracefulShutdownHandler {
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                let started = clock.now
                health.pipelineStarting()
                do {
                    try await makePipeline().run()
                    return
                } catch PipelineError.offsetsReset(let partitions) {
                    logger.notice("offsets of partitions \(partitions) were reset; restarting the pipeline there")
                    failures = 0
                } catch {
                    if started.duration(to: clock.now) > .seconds(60) { failures = 0 }
                    failures += 1
                    Counter(label: ServeMetric.pipelineRestarts.name).increment()
                    health.pipelineFailed(HealthMessage.of(error), attempt: failures)
                    let delay = Duration.seconds(1 << min(failures - 1, 4))
                    logger.error("ingest pipeline failed; restarting from the offsets in Postgres",
                                 metadata: ["error": "\(error)", "retryIn": "\(delay)"])
                    try await Task.sleep(for: delay)
                }
            }
        } onGracefulShutdown: {
            health.stopping()
        }
    }
}

/// Runs one destination's outbox relay until shutdown. A graceful shutdown lets the batch in
/// flight finish and be recorded (its documents are not left leased); only the wait between
/// passes is cut short.
struct RelayService: Service {
    let relay: OutboxRelay
    var interval: Duration = .seconds(1)

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await relay.drain(until: { Task.isShuttingDownGracefully })
            } catch {
                relay.logger.error("outbox relay pass failed: \(error)", metadata: ["destination": "\(relay.destination.name)"])
            }
            // A relay without a breaker reports it closed: its calls always flow.
            let position = await relay.destination.pacer?.breakerPosition() ?? BreakerPosition.closed.rawValue
            DeliveryMetrics.breaker(relay.destination.name, is: BreakerPosition(rawValue: position) ?? .closed)
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
