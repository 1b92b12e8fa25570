import ArgumentParser
import Foundation
import KafkaClient
import OdometerService
#if canImport(Glibc)
import Glibc
#endif

/// Runs librdkafka's mock cluster on loopback until interrupted, for trying `serve` and
/// `produce` without a real Kafka. Not for production.
struct MockKafkaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mock-kafka", abstract: "Run a local Kafka mock cluster (librdkafka) until interrupted.")

    @Option(help: "Brokers.") var brokers = 3
    @Option(help: "Topics to create, name:partitions (repeatable).") var topic: [String] = ["usage:16", "usage.dlq:1"]

    private static let noStandardOutput = OdometerFailure.environment(
        "cannot write the bootstrap servers to standard output; run mock-kafka with its standard output open, "
            + "e.g. piped to the process that uses it")

    func run() async throws {
        try await CommandFailure.reporting {
            // Checked before the cluster opens its sockets and pipes: one of them would take
            // descriptor 1, and the line below would go into it.
            guard fcntl(STDOUT_FILENO, F_GETFD) != -1 else { throw Self.noStandardOutput }
            let cluster = try KafkaMockCluster(brokers: brokers, logger: nil)
            for spec in topic {
                let parts = spec.split(separator: ":")
                guard parts.count == 2, let partitions = Int32(parts[1]), partitions > 0 else {
                    throw ValidationError("--topic must be name:partitions, e.g. usage:16")
                }
                try cluster.createTopic(String(parts[0]), partitions: partitions)
            }
            // Whoever started the cluster reads this line to reach it. The throwing write, so that a
            // failed one ends the command with its exit code (the other traps: SIGILL, 132).
            do {
                try FileHandle.standardOutput.write(contentsOf: Data((cluster.bootstrapServers + "\n").utf8))
            } catch {
                cluster.close()
                throw Self.noStandardOutput
            }
            while !Task.isCancelled { try await Task.sleep(for: .seconds(3600)) }
            cluster.close()
        }
    }
}
