import KafkaClient
import OdometerService
import OdometerTestSupport
import Testing

/// A stopped pipeline lets go of its librdkafka clients: a client that outlives it keeps its
/// threads reconnecting for the life of the process (a `serve` restarts pipelines after faults).
@Suite struct PipelineReleaseTests {
    @Test func aStoppedPipelineReleasesEveryKafkaClientItOpened() async throws {
        try await PipelineEnvironment.with { environment in
            try await environment.produce(2_000)
            let brokers = environment.kafka.bootstrapServers
            try await Self.meterOnce(environment)
            // The consumer thread and the compaction task end just after `run()` returns.
            #expect(try await eventually(within: .seconds(20)) { LiveClients.live(bootstrapServers: brokers) == 0 },
                    "a stopped pipeline still holds Kafka clients: a reference cycle keeps them alive")
        }
    }

    private static func meterOnce(_ environment: PipelineEnvironment) async throws {
        let pipeline = try environment.pipeline()
        #expect(LiveClients.live(bootstrapServers: environment.kafka.bootstrapServers) >= 3,
                "the consumer, the dead-letter producer and the inspector")
        try await environment.meterUntilCaughtUp(pipeline)
    }
}
