import CRdKafka

/// One partition of one topic. A plain value; the unit of assignment, pausing and offsets.
public struct KafkaTopicPartition: Hashable, Sendable, CustomStringConvertible {
    public var topic: String
    public var partition: Int32

    public init(topic: String, partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    public var description: String { "\(topic)[\(partition)]" }
}

/// An owned `rd_kafka_topic_partition_list_t`, destroyed on deinit.
///
/// The C list is reachable only inside `withList`, which keeps this owner alive for the whole
/// call (a bare `.pointer` read would let Swift release the owner before the C call ran).
/// Used only on the thread that builds it (subscribe, pause, commit): not Sendable.
final class PartitionList {
    private let pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>

    /// A list of `partitions`, each with `offsets[partition]` if given (else the list default).
    init(_ partitions: some Collection<KafkaTopicPartition>, offsets: [KafkaTopicPartition: Int64] = [:]) {
        pointer = rd_kafka_topic_partition_list_new(Int32(clamping: partitions.count))
        for partition in partitions {
            let element = rd_kafka_topic_partition_list_add(pointer, partition.topic, partition.partition)!
            if let offset = offsets[partition] { element.pointee.offset = offset }
        }
    }

    deinit { rd_kafka_topic_partition_list_destroy(pointer) }

    func withList<Result>(_ body: (UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) -> Result) -> Result {
        withExtendedLifetime(self) { body(pointer) }
    }
}

/// Reads the elements of a C partition list that librdkafka owns.
func topicPartitions(in list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?) -> [KafkaTopicPartition] {
    guard let list, let elements = list.pointee.elems else { return [] }
    return (0..<Int(list.pointee.cnt)).map { index in
        KafkaTopicPartition(topic: String(cString: elements[index].topic), partition: elements[index].partition)
    }
}
