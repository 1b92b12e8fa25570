import CRdKafka
import Logging

/// The librdkafka consumer handle and the loop that the consumer thread runs on it.
///
/// Two queues, so that a batch never straddles a rebalance:
/// - the *message queue* (`rd_kafka_queue_new`) receives the fetched messages of every
///   assigned partition (their fetch queues are forwarded to it by `RebalanceBridge`); it is
///   drained with `rd_kafka_consume_batch_queue`, which then has no callback to serve;
/// - the *consumer queue* (`rd_kafka_queue_get_consumer`, with the main queue forwarded to it
///   by `rd_kafka_poll_set_consumer`) carries rebalances, errors and commit results; it is
///   served between batches, after the previous batch went to the handler.
/// librdkafka 2.0.2's batch API is documented as unsafe when a rebalance, pause or seek runs
/// during the call; here none can: they all happen on this thread between calls.
///
/// Owned by one `KafkaBatchConsumer`; after `start` only the consumer thread touches it.
final class ConsumerSession: @unchecked Sendable {
    // @unchecked Sendable is safe: before the thread starts, the session is reached only
    // through the consumer's lock; afterwards only from the consumer thread it is moved to.
    let handle: OpaquePointer
    let messageQueue: OpaquePointer
    private let consumerQueue: OpaquePointer
    private let context: ClientContext
    private let bridge: RebalanceBridge
    private let handler: any KafkaBatchHandler
    private let control: ConsumerControl
    private let batchSize: Int
    private let pollMilliseconds: Int32
    private let messages: UnsafeMutablePointer<KafkaMessage>
    private let events: UnsafeMutablePointer<KafkaMessage>
    private static let eventCapacity = 64

    init(configuration: KafkaConsumerConfiguration, handler: any KafkaBatchHandler,
         control: ConsumerControl, logger: Logger?) throws {
        let settings = try configuration.librdkafkaSettings()
        let bridge = RebalanceBridge(handler: handler, logger: logger)
        let context = ClientContext(logger: logger, bootstrapServers: configuration.bootstrapServers,
                                    rebalance: bridge)
        let conf = try settings.makeConf()
        context.install(on: conf)
        rd_kafka_conf_set_rebalance_cb(conf) { handle, code, list, opaque in
            guard let handle, let opaque else { return }
            ClientContext.from(opaque).rebalance?.rebalance(handle: handle, code: code, list: list)
        }
        rd_kafka_conf_set_offset_commit_cb(conf) { _, code, _, opaque in
            // Advisory commits: a failure only delays lag dashboards.
            guard code != RD_KAFKA_RESP_ERR_NO_ERROR, code != RD_KAFKA_RESP_ERR__NO_OFFSET, let opaque else { return }
            ClientContext.from(opaque).logger?.debug("advisory Kafka offset commit failed: \(errorText(code))")
        }
        handle = try makeLibrdkafkaHandle(RD_KAFKA_CONSUMER, conf: conf)
        rd_kafka_poll_set_consumer(handle)
        consumerQueue = rd_kafka_queue_get_consumer(handle)
        messageQueue = rd_kafka_queue_new(handle)
        bridge.messageQueue = messageQueue
        self.context = context
        self.bridge = bridge
        self.handler = handler
        self.control = control
        batchSize = configuration.batchSize
        pollMilliseconds = configuration.pollTimeout.librdkafkaMilliseconds
        messages = .allocate(capacity: configuration.batchSize)
        events = .allocate(capacity: Self.eventCapacity)
    }

    func subscribe(_ topics: [String]) throws {
        let list = PartitionList(topics.map { KafkaTopicPartition(topic: $0, partition: -1) })
        let result = list.withList { rd_kafka_subscribe(handle, $0) }
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError.subscribeFailed(topics: topics, reason: errorText(result))
        }
    }

    /// The consumer thread's body: poll, deliver, serve events, until stopped or failed.
    func run() {
        var outcome = KafkaConsumerOutcome.stopped
        while control.pendingStop == .none {
            Self.apply(control.takeRequests(), to: handle)
            let count = fill(messages, capacity: batchSize, from: messageQueue, waiting: pollMilliseconds)
            control.handlerIsRunning.store(true, ordering: .relaxed)
            if count > 0 { handler.consume(UnsafeBufferPointer(start: messages, count: count)) }
            control.handlerIsRunning.store(false, ordering: .relaxed)
            if count == batchSize { control.fullBatches.add(1, ordering: .relaxed) }
            serveEvents()
            if let failure = bridge.failure ?? context.fatalErrorText.map({ KafkaError.fatal(reason: $0) }) {
                outcome = .failed(failure)
                break
            }
            control.handlerIsRunning.store(true, ordering: .relaxed)
            handler.idle()
            control.handlerIsRunning.store(false, ordering: .relaxed)
        }
        shutDown(leavingGroup: control.pendingStop != .crash)
        control.finish(outcome)
    }

    /// Serves the consumer queue without waiting: rebalance callbacks run here, and consumer
    /// errors are handed to the handler as messages.
    private func serveEvents() {
        while true {
            let count = fill(events, capacity: Self.eventCapacity, from: consumerQueue, waiting: 0)
            if count > 0 { handler.consume(UnsafeBufferPointer(start: events, count: count)) }
            if count < Self.eventCapacity { return }
        }
    }

    private func fill(_ buffer: UnsafeMutablePointer<KafkaMessage>, capacity: Int,
                      from queue: OpaquePointer, waiting milliseconds: Int32) -> Int {
        // KafkaMessage is a single-field struct around a non-null message pointer, so it is
        // layout compatible with the C array of optional message pointers.
        let count = buffer.withMemoryRebound(to: UnsafeMutablePointer<rd_kafka_message_t>?.self,
                                             capacity: capacity) { raw in
            rd_kafka_consume_batch_queue(queue, milliseconds, raw, capacity)
        }
        return max(0, count)
    }

    /// Applies pause, resume and commit requests; only on the consumer thread, between polls.
    static func apply(_ requests: [ConsumerControl.Request], to handle: OpaquePointer) {
        for request in requests {
            switch request {
            case let .pause(partitions):
                _ = PartitionList(partitions).withList { rd_kafka_pause_partitions(handle, $0) }
            case let .resume(partitions, positions):
                _ = PartitionList(partitions).withList { rd_kafka_resume_partitions(handle, $0) }
                if !positions.isEmpty {
                    // Asynchronous (timeout 0); a failure (e.g. the partition was revoked meanwhile)
                    // only leaves the fetcher to wake by itself.
                    let error = PartitionList(positions.keys, offsets: positions).withList {
                        rd_kafka_seek_partitions(handle, $0, 0)
                    }
                    if let error { rd_kafka_error_destroy(error) }
                }
            case let .commit(offsets) where !offsets.isEmpty:
                _ = PartitionList(offsets.keys, offsets: offsets).withList { rd_kafka_commit(handle, $0, 1) }
            case .commit:
                break
            }
        }
    }

    /// Leaves the group (unless crashing) and frees everything. librdkafka's destroy waits
    /// until every message handed out has been released.
    func shutDown(leavingGroup: Bool) {
        control.detachQueue()
        if leavingGroup {
            let result = rd_kafka_consumer_close(handle)
            if result != RD_KAFKA_RESP_ERR_NO_ERROR {
                context.logger?.warning("closing the Kafka consumer: \(errorText(result))")
            }
        }
        handler.releaseHeldMessages()
        rd_kafka_queue_destroy(messageQueue)
        rd_kafka_queue_destroy(consumerQueue)
        if leavingGroup {
            rd_kafka_destroy(handle)
        } else {
            rd_kafka_destroy_flags(handle, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE)
        }
        messages.deallocate()
        events.deallocate()
        withExtendedLifetime(context) {}
    }
}
