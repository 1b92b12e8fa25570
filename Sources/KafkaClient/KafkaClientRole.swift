/// The kind of librdkafka client a property set is for. `kafka.properties` (DESIGN §3) holds
/// settings for every client Odometer creates (consumer, dead-letter producer, inspectors):
/// SASL, TLS and timeouts apply to all of them, but a consumer-only setting given to a
/// producer (or the reverse) only earns a librdkafka warning, so each role drops the other's.
///
/// The lists are librdkafka 2.0.2's CONFIGURATION.md rows marked `C` (consumer only) and `P`
/// (producer only). Stateless.
public enum KafkaClientRole: Sendable {
    case consumer
    case producer

    /// The properties among `properties` that a client of this role accepts.
    public func applicable(_ properties: [String: String]) -> [String: String] {
        let foreign = self == .consumer ? Self.producerOnly : Self.consumerOnly
        return properties.filter { !foreign.contains($0.key) }
    }

    static let consumerOnly: Set<String> = [
        "group.id", "group.instance.id", "partition.assignment.strategy", "session.timeout.ms",
        "heartbeat.interval.ms", "group.protocol.type", "coordinator.query.interval.ms", "max.poll.interval.ms",
        "enable.auto.commit", "auto.commit.interval.ms", "enable.auto.offset.store", "queued.min.messages",
        "queued.max.messages.kbytes", "fetch.wait.max.ms", "fetch.message.max.bytes", "max.partition.fetch.bytes",
        "fetch.max.bytes", "fetch.min.bytes", "fetch.error.backoff.ms", "offset.store.method", "isolation.level",
        "enable.partition.eof", "check.crcs", "auto.commit.enable", "auto.offset.reset", "offset.store.path",
        "offset.store.sync.interval.ms", "consume.callback.max.messages",
    ]

    static let producerOnly: Set<String> = [
        "acks", "batch.num.messages", "batch.size", "compression.codec", "compression.level", "compression.type",
        "delivery.report.only.error", "delivery.timeout.ms", "enable.gapless.guarantee", "enable.idempotence",
        "linger.ms", "message.send.max.retries", "message.timeout.ms", "partitioner", "produce.offset.report",
        "queue.buffering.backpressure.threshold", "queue.buffering.max.kbytes", "queue.buffering.max.messages",
        "queue.buffering.max.ms", "queuing.strategy", "request.required.acks", "request.timeout.ms", "retries",
        "retry.backoff.ms", "sticky.partitioning.linger.ms", "transaction.timeout.ms", "transactional.id",
    ]
}
