import Foundation
import KafkaClient
public import Logging
public import PostgresNIO
import PostgresStore

/// Waiting until the committed offsets in Postgres cover a topic: then every event produced
/// so far is in the totals, exactly once.
public enum CatchUp {
    /// The topic's high watermarks, after checking that no partition lost its head: the
    /// Kafka mock (and retention) can drop old data silently, which would make any recount a lie.
    public static func endOffsets(brokers: String, topic: String) throws -> [Int32: Int64] {
        let watermarks = try KafkaTopicInspector(bootstrapServers: brokers, logger: nil).watermarks(topic: topic)
        if let lost = watermarks.first(where: { $0.value.low != 0 }) {
            throw OdometerFailure.environment(
                "partition \(lost.key) of \(topic) starts at offset \(lost.value.low), not 0: Kafka dropped events "
                    + "(the mock keeps about 5 MiB per partition); use more partitions or fewer events")
        }
        return watermarks.mapValues(\.high)
    }

    /// Waits until `group`'s committed offsets reach `ends` for every partition. Postgres being
    /// briefly unreachable (a restart) only delays the answer; past `timeout` the last error is thrown.
    public static func wait(for ends: [Int32: Int64], group: String, topic: String, postgres: PostgresClient,
                            timeout: Duration, logger: Logger,
                            progress: (_ committed: Int64, _ total: Int64) -> Void = { _, _ in }) async throws {
        let queries = UsageQueries(client: postgres, logger: logger)
        let total = ends.values.reduce(0, +)
        let deadline = ContinuousClock.now + timeout
        while true {
            let offsets: [Int32: PartitionClaim]
            do {
                offsets = try await queries.offsets(group: group, topic: topic)
            } catch {
                guard ContinuousClock.now < deadline else { throw error }
                try await Task.sleep(for: .milliseconds(200))
                continue
            }
            var committed: Int64 = 0
            var done = true
            for (partition, end) in ends {
                let next = min(offsets[partition]?.nextOffset ?? 0, end)
                committed += next
                if next < end { done = false }
            }
            progress(committed, total)
            if done { return }
            guard ContinuousClock.now < deadline else {
                throw OdometerFailure.environment("the pipeline committed \(committed) of \(total) events in \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}
