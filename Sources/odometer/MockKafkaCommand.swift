import ArgumentParser
import Foundation
import KafkaClient

/// Runs librdkafka's mock cluster on loopback until interrupted, for trying `serve` and
/// `produce` without a real Kafka. Not for production.
struct MockKafkaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mock-kafka", abstract: "Run a local Kafka mock cluster (librdkafka) until interrupted.")

    @Option(help: "Brokers.") var brokers = 3
    @Option(help: "Topics to create, name:partitions (repeatable).") var topic: [String] = ["usage:16", "usage.dlq:1"]

    func run() async throws {
        try await CommandFailure.reporting {
            let cluster = try KafkaMockCluster(brokers: brokers, logger: nil)
            for spec in topic {
                let parts = spec.split(separator: ":")
                guard parts.count == 2, let partitions = Int32(parts[1]), partitions > 0 else {
                    throw ValidationError("--topic must be name:partitions, e.g. usage:16")
                }
                try cluster.createTopic(String(parts[0]), partitions: partitions)
            }
            FileHandle.standardOutput.write(Data((cluster.bootstrapServers + "\n").utf8))
            while !Task.isCancelled { try await Task.sleep(for: .seconds(3600)) }
            cluster.close()
        }
    }
}
