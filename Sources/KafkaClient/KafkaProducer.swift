import CRdKafka
public import Logging
import Synchronization

/// A Kafka producer tuned for throughput: batches of up to 10,000 messages or 1 MiB, lingering
/// 10 ms, lz4-compressed, acknowledged by all in-sync replicas.
///
/// Keyed messages go to `murmur2(key) % partitions`, librdkafka's `murmur2_random`
/// partitioner, which matches the Java client's default: a key lands on the same partition
/// whichever client produced it. Messages without a key are spread at random.
///
/// `produce` copies the payload and returns at once; when librdkafka's local queue is full it
/// serves delivery reports and retries, so a fast producer is slowed down, never failed.
/// `flush` waits for the deliveries and reports failures since the previous `flush`.
///
/// Thread-safe, like the `rd_kafka_t` it owns: any number of threads may produce at once.
/// Dropping the producer discards undelivered messages; call `flush` first.
public final class KafkaProducer: @unchecked Sendable {
    // @unchecked Sendable is safe: `handle` is immutable and rd_kafka_t is documented as
    // thread-safe for produce/poll/flush; `context` and `produced` are Sendable.
    let handle: OpaquePointer
    private let context: ClientContext
    private let produced = Atomic<Int>(0)
    public let bootstrapServers: String

    /// The settings this producer starts from; `properties` in `init` override any of them.
    public static let defaultProperties: [String: String] = [
        "linger.ms": "10",
        "batch.num.messages": "10000",
        "batch.size": "1048576",
        "compression.codec": "lz4",
        "acks": "all",
        "partitioner": "murmur2_random",
        "queue.buffering.max.messages": "500000",
    ]

    /// Creates the producer. It connects lazily: an unreachable cluster shows at `flush`.
    /// `logger` receives librdkafka's messages (nil: silence).
    public init(bootstrapServers: String, properties: [String: String] = [:],
                logger: Logger? = Logger(label: "odometer.kafka.producer")) throws {
        var settings = LibrdkafkaConfiguration(defaults: Self.defaultProperties,
                                               overrides: KafkaClientRole.producer.applicable(properties))
        settings["bootstrap.servers"] = bootstrapServers
        let context = ClientContext(logger: logger, bootstrapServers: bootstrapServers, delivery: DeliveryTally())
        let conf = try settings.makeConf()
        context.install(on: conf)
        rd_kafka_conf_set_dr_msg_cb(conf) { _, message, opaque in
            guard let message, let opaque, let tally = ClientContext.from(opaque).delivery else { return }
            let code = message.pointee.err
            if code == RD_KAFKA_RESP_ERR_NO_ERROR {
                tally.recordDelivered()
            } else {
                let topic = message.pointee.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? "?"
                tally.recordFailure("\(topic)[\(message.pointee.partition)]: \(errorText(code))")
            }
        }
        self.handle = try makeLibrdkafkaHandle(RD_KAFKA_PRODUCER, conf: conf)
        self.context = context
        self.bootstrapServers = bootstrapServers
    }

    deinit {
        rd_kafka_purge(handle, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT)
        rd_kafka_destroy(handle)
    }

    /// The value librdkafka holds for a configuration property of this client, as text (nil for
    /// an unknown name). Lets tests and diagnostics see what the client really runs with.
    public func setting(_ name: String) -> String? {
        guard let conf = rd_kafka_conf(handle) else { return nil }
        var size = 0
        guard rd_kafka_conf_get(conf, name, nil, &size) == RD_KAFKA_CONF_OK, size > 0 else { return nil }
        var buffer = [CChar](repeating: 0, count: size)
        guard rd_kafka_conf_get(conf, name, &buffer, &size) == RD_KAFKA_CONF_OK else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Messages the cluster acknowledged since the producer was created.
    public var deliveredCount: Int { context.delivery?.deliveredCount ?? 0 }

    /// Messages and events librdkafka still holds (queued, in flight, or awaiting their report).
    public var outstandingCount: Int { Int(rd_kafka_outq_len(handle)) }

    /// Waits until every message produced so far is delivered, or `timeout` passes.
    ///
    /// Throws `flushTimedOut` (with the last broker error) if messages are still in flight, and
    /// `deliveryFailed` if any message failed since the previous `flush`.
    public func flush(timeout: Duration) throws {
        let milliseconds = timeout.librdkafkaMilliseconds
        if rd_kafka_flush(handle, milliseconds) == RD_KAFKA_RESP_ERR__TIMED_OUT {
            rd_kafka_poll(handle, 0)
            throw KafkaError.flushTimedOut(outstanding: outstandingCount, timeoutMilliseconds: Int(milliseconds),
                                           lastBrokerError: context.lastBrokerError)
        }
        if let (count, first) = context.delivery?.takeFailures(), count > 0 {
            throw KafkaError.deliveryFailed(failedCount: count, firstError: first ?? "unknown error")
        }
    }

    /// Serves pending delivery reports now. `produce` and `flush` do this on their own; call it
    /// only to refresh `deliveredCount` during a long pause in producing.
    public func serveDeliveryReports() {
        rd_kafka_poll(handle, 0)
    }

    /// Counts one produce call and, every 4096 of them, serves delivery reports so that the
    /// local queue drains without waiting to be full.
    func noteProduced() {
        if produced.wrappingAdd(1, ordering: .relaxed).newValue & 0xFFF == 0 {
            rd_kafka_poll(handle, 0)
        }
    }

    /// Makes room in a full local queue: serves delivery reports, then waits briefly for more.
    func waitForRoom(attempt: Int) {
        rd_kafka_poll(handle, attempt == 0 ? 0 : 5)
    }
}
