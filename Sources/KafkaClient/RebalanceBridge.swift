import CRdKafka
import Logging

/// Turns librdkafka's eager rebalance callback into `KafkaBatchHandler` calls, and assigns
/// each partition at the offset the handler returns.
///
/// On assignment it also routes every assigned partition's fetch queue into the consumer's
/// message queue (see `ConsumerSession`), so that messages and rebalance events never share
/// one batch call.
///
/// Owned by one `ConsumerSession`; reached from librdkafka through `ClientContext`. Not
/// thread-safe by itself: librdkafka runs the rebalance callback only inside the consumer
/// thread's own calls (`rd_kafka_consume_batch_queue` on the consumer queue,
/// `rd_kafka_consumer_close`).
final class RebalanceBridge: @unchecked Sendable {
    // @unchecked Sendable is safe: every member is read and written on the consumer thread
    // only (see above); `messageQueue` is set before the thread starts and never changes.
    private let handler: any KafkaBatchHandler
    private let logger: Logger?
    var messageQueue: OpaquePointer?
    private(set) var owned: [KafkaTopicPartition] = []
    private(set) var failure: KafkaError?

    init(handler: any KafkaBatchHandler, logger: Logger?) {
        self.handler = handler
        self.logger = logger
    }

    func rebalance(handle: OpaquePointer, code: rd_kafka_resp_err_t,
                   list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?) {
        switch code {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            assign(handle: handle, list: list)
        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
            revoke(handle: handle, list: list)
        default:
            logger?.error("Kafka rebalance failed: \(errorText(code)); dropping the assignment")
            revokeAll()
            rd_kafka_assign(handle, nil)
        }
    }

    private func assign(handle: OpaquePointer, list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?) {
        let partitions = topicPartitions(in: list)
        guard failure == nil, let list else {
            rd_kafka_assign(handle, nil)
            return
        }
        let starts: [KafkaTopicPartition: Int64]
        do {
            // An empty assignment (more members than partitions) is not worth a handler call.
            starts = partitions.isEmpty ? [:] : try handler.partitionsAssigned(partitions)
        } catch {
            failure = .assignmentHandlerFailed(reason: String(describing: error))
            rd_kafka_assign(handle, nil)
            return
        }
        for (index, partition) in partitions.enumerated() {
            list.pointee.elems[index].offset = starts[partition] ?? Int64(RD_KAFKA_OFFSET_BEGINNING)
            routeFetchQueue(handle: handle, partition: partition)
        }
        owned = partitions
        let result = rd_kafka_assign(handle, list)
        if result != RD_KAFKA_RESP_ERR_NO_ERROR {
            failure = .fatal(reason: "assigning \(partitions) failed: \(errorText(result))")
            revokeAll()
        }
    }

    private func revoke(handle: OpaquePointer, list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?) {
        let revoked = Set(topicPartitions(in: list))
        let leaving = owned.filter(revoked.contains)
        if !leaving.isEmpty { handler.partitionsRevoked(leaving) }
        owned.removeAll(where: revoked.contains)
        rd_kafka_assign(handle, nil)
    }

    private func revokeAll() {
        guard !owned.isEmpty else { return }
        handler.partitionsRevoked(owned)
        owned = []
    }

    /// librdkafka clears an application forward when it stops fetching a partition, so the
    /// route is set again on every assignment, before `rd_kafka_assign` starts the fetch.
    private func routeFetchQueue(handle: OpaquePointer, partition: KafkaTopicPartition) {
        guard let messageQueue,
              let partitionQueue = rd_kafka_queue_get_partition(handle, partition.topic, partition.partition)
        else { return }
        rd_kafka_queue_forward(partitionQueue, messageQueue)
        rd_kafka_queue_destroy(partitionQueue)
    }
}
