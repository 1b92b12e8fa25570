import CRdKafka
public import Logging
import Synchronization

/// An in-process Kafka cluster (librdkafka's mock brokers) for tests and `odometer demo`.
///
/// The brokers speak the real Kafka protocol on loopback TCP (`127.0.0.1`, ephemeral ports),
/// so any client, in this process or another one (e.g. `kcat`), can use `bootstrapServers`.
/// It is built with `rd_kafka_mock_cluster_new` on a dummy producer handle that this object
/// owns; it serves requests from one librdkafka thread until `close()` or deinit.
///
/// - Important: Debian's librdkafka 2.0.2 mock keeps at most 5 MiB or 100,000 batches per
///   partition log and *silently drops the oldest data* beyond that (the low watermark moves
///   up). Size topics so they stay under it: enough partitions, producer batching and lz4
///   compression (the `KafkaProducer` defaults). Before trusting a recount, check that every
///   partition's low watermark is still 0 (`KafkaTopicInspector.watermarks`).
///
/// Other mock behaviours: the first consumer-group join takes about 3 s, and after a member
/// dies without leaving, the group rebalances only when its session times out.
///
/// Thread-safe; `close()` is idempotent.
public final class KafkaMockCluster: Sendable {
    /// Comma-separated `127.0.0.1:port` list of the mock brokers.
    public let bootstrapServers: String
    public let brokerCount: Int
    private let state: Mutex<Handles?>

    private struct Handles {
        let client: OpaquePointer
        let cluster: OpaquePointer
        let context: ClientContext
    }

    /// Starts `brokers` mock brokers. `logger` receives librdkafka's messages (nil: silence).
    public init(brokers: Int = 3, logger: Logger? = Logger(label: "odometer.kafka.mock")) throws {
        guard (1...64).contains(brokers) else {
            throw KafkaError.mockClusterFailed(reason: "broker count must be between 1 and 64, got \(brokers)")
        }
        let context = ClientContext(logger: logger, bootstrapServers: "mock")
        let conf = try LibrdkafkaConfiguration(defaults: [:], overrides: [:]).makeConf()
        context.install(on: conf)
        let client = try makeLibrdkafkaHandle(RD_KAFKA_PRODUCER, conf: conf)
        guard let cluster = rd_kafka_mock_cluster_new(client, Int32(brokers)) else {
            rd_kafka_destroy(client)
            throw KafkaError.mockClusterFailed(reason: "rd_kafka_mock_cluster_new failed (see the log)")
        }
        bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(cluster))
        brokerCount = brokers
        state = Mutex(Handles(client: client, cluster: cluster, context: context))
    }

    deinit { close() }

    /// Creates `name` with `partitions` partitions. Fails if it exists or the cluster is closed.
    public func createTopic(_ name: String, partitions: Int32, replicationFactor: Int32 = 1) throws {
        guard partitions > 0 else {
            throw KafkaError.mockClusterFailed(reason: "topic `\(name)` needs at least 1 partition, got \(partitions)")
        }
        guard (1...Int32(brokerCount)).contains(replicationFactor) else {
            throw KafkaError.mockClusterFailed(
                reason: "replication factor \(replicationFactor) of `\(name)` must be 1...\(brokerCount) (the broker count)")
        }
        let result: rd_kafka_resp_err_t? = state.withLock { handles in
            guard let handles else { return nil }
            return rd_kafka_mock_topic_create(handles.cluster, name, partitions, replicationFactor)
        }
        guard let result else {
            throw KafkaError.mockClusterFailed(reason: "cannot create topic `\(name)`: the mock cluster is closed")
        }
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError.mockClusterFailed(reason: "cannot create topic `\(name)`: \(errorText(result))")
        }
    }

    /// Takes broker `id` (1...brokerCount) down (`up: false`: its connections are closed and new
    /// ones refused) or brings it back, for outage tests.
    public func setBroker(_ id: Int32, up: Bool) throws {
        let result: rd_kafka_resp_err_t? = state.withLock { handles in
            guard let handles else { return nil }
            return up ? rd_kafka_mock_broker_set_up(handles.cluster, id) : rd_kafka_mock_broker_set_down(handles.cluster, id)
        }
        guard let result, result == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError.mockClusterFailed(reason: "cannot set broker \(id) \(up ? "up" : "down"): "
                                               + (result.map(errorText) ?? "the mock cluster is closed"))
        }
    }

    /// Stops the brokers and frees the dummy handle. Clients still connected see disconnects.
    public func close() {
        guard let handles = state.withLock({ $0.take() }) else { return }
        rd_kafka_mock_cluster_destroy(handles.cluster)
        rd_kafka_destroy(handles.client)
        withExtendedLifetime(handles.context) {}
    }
}
