import CRdKafka
import Foundation
public import Logging

/// Reads fixed offset ranges of a topic's partitions once, without joining a consumer group:
/// the partitions are assigned (`rd_kafka_assign`), never subscribed, so no group rebalances and
/// no offsets are committed. For tools that scan a topic, such as `dlq replay`.
///
/// One `read` per reader; used by one thread at a time (not Sendable). Dropping the reader
/// closes its client.
public final class KafkaPartitionReader {
    private let handle: OpaquePointer
    private let context: ClientContext
    public let bootstrapServers: String

    /// Creates the client; `properties` are the deployment's librdkafka settings (SASL, TLS).
    public init(bootstrapServers: String, properties: [String: String] = [:], logger: Logger? = nil) throws {
        let defaults: [String: String] = [
            // A group id is required by the consumer API; it is never joined (assign only).
            "group.id": "odometer-reader-\(UUID().uuidString.prefix(8))",
            "enable.auto.commit": "false",
            "enable.auto.offset.store": "false",
            "enable.partition.eof": "false",
        ]
        var settings = LibrdkafkaConfiguration(defaults: defaults, overrides: properties)
        settings["bootstrap.servers"] = bootstrapServers
        settings["enable.auto.commit"] = "false"
        let context = ClientContext(logger: logger, bootstrapServers: bootstrapServers)
        let conf = try settings.makeConf()
        context.install(on: conf)
        handle = try makeLibrdkafkaHandle(RD_KAFKA_CONSUMER, conf: conf)
        rd_kafka_poll_set_consumer(handle)
        self.context = context
        self.bootstrapServers = bootstrapServers
    }

    deinit {
        rd_kafka_consumer_close(handle)
        rd_kafka_destroy(handle)
    }

    /// Calls `body` with every message of `topic` whose offset lies in its partition's range
    /// (`low ..< high`), in offset order within a partition. The message is valid only during
    /// the call. Returns when every range has been read; throws `unreachable` when no message
    /// arrives for `idleTimeout` while some are still expected, and any error `body` throws.
    public func read(topic: String, ranges: [Int32: KafkaWatermarks], idleTimeout: Duration = .seconds(30),
                     _ body: (KafkaMessage) throws -> Void) throws {
        var positions = ranges.filter { $0.value.high > $0.value.low }.mapValues(\.low)
        guard !positions.isEmpty else { return }
        let partitions = positions.keys.sorted().map { KafkaTopicPartition(topic: topic, partition: $0) }
        let offsets = Dictionary(uniqueKeysWithValues: partitions.map { ($0, positions[$0.partition]!) })
        let assigned = PartitionList(partitions, offsets: offsets).withList { rd_kafka_assign(handle, $0) }
        guard assigned == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError.queryFailed(topic: topic, reason: "cannot assign its partitions: \(errorText(assigned))")
        }
        defer { rd_kafka_assign(handle, nil) }
        var lastProgress = ContinuousClock.now
        while !positions.isEmpty {
            guard let raw = rd_kafka_consumer_poll(handle, 200) else {
                // Offsets may skip (compaction, transaction markers): the fetch position tells.
                for (partition, position) in fetchPositions(topic: topic, partitions: Array(positions.keys))
                where position >= ranges[partition]!.high {
                    positions[partition] = nil
                }
                if positions.isEmpty { return }
                if lastProgress.duration(to: .now) > idleTimeout {
                    let reason = context.lastBrokerError ?? "no message arrived for \(idleTimeout)"
                    throw KafkaError.unreachable(bootstrapServers: bootstrapServers, reason: reason)
                }
                continue
            }
            let message = KafkaMessage(raw)
            defer { message.release() }
            if message.isError {
                if message.isPartitionEnd { continue }
                throw KafkaError.queryFailed(topic: topic, reason: message.errorDescription ?? "unknown consumer error")
            }
            lastProgress = .now
            guard let next = positions[message.partition], let end = ranges[message.partition]?.high else { continue }
            if message.offset >= next, message.offset < end { try body(message) }
            if message.offset + 1 >= end {
                positions[message.partition] = nil
            } else {
                positions[message.partition] = max(next, message.offset + 1)
            }
        }
    }

    /// Where the client will fetch next in each partition (partitions without a position are left out).
    private func fetchPositions(topic: String, partitions: [Int32]) -> [Int32: Int64] {
        let list = rd_kafka_topic_partition_list_new(Int32(partitions.count))!
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for partition in partitions { rd_kafka_topic_partition_list_add(list, topic, partition) }
        guard rd_kafka_position(handle, list) == RD_KAFKA_RESP_ERR_NO_ERROR, let elements = list.pointee.elems else {
            return [:]
        }
        var result: [Int32: Int64] = [:]
        for index in 0..<Int(list.pointee.cnt) where elements[index].offset >= 0 {
            result[elements[index].partition] = elements[index].offset
        }
        return result
    }
}
