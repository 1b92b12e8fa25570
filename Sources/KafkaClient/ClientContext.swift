import CRdKafka
import Logging
import Synchronization

/// The object behind librdkafka's `opaque` pointer for every handle this module creates.
///
/// It routes librdkafka's log lines and error events to swift-log, remembers the last broker
/// error (so that a timeout can say *why*), and reaches the role-specific state: the delivery
/// tally of a producer, the rebalance bridge of a consumer.
///
/// Ownership: the object that owns the `rd_kafka_t` keeps its context alive until
/// `rd_kafka_destroy` has returned; the handle only holds an unretained pointer. Thread-safe:
/// librdkafka calls into it from its internal threads.
final class ClientContext: Sendable {
    let logger: Logger?
    let bootstrapServers: String
    let delivery: DeliveryTally?
    let rebalance: RebalanceBridge?
    private let lastError = Mutex<String?>(nil)
    private let fatalError = Mutex<String?>(nil)

    init(logger: Logger?, bootstrapServers: String,
         delivery: DeliveryTally? = nil, rebalance: RebalanceBridge? = nil) {
        self.logger = logger
        self.bootstrapServers = bootstrapServers
        self.delivery = delivery
        self.rebalance = rebalance
        LiveClients.opened(bootstrapServers)
    }

    deinit { LiveClients.released(bootstrapServers) }

    /// The text of the most recent error event (e.g. "Connection refused"), if any.
    var lastBrokerError: String? { lastError.withLock { $0 } }

    /// Set once librdkafka raised a fatal error; the handle is unusable afterwards.
    var fatalErrorText: String? { fatalError.withLock { $0 } }

    /// Installs the opaque pointer and the log and error callbacks on `conf`.
    func install(on conf: OpaquePointer) {
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(self).toOpaque())
        rd_kafka_conf_set_log_cb(conf) { handle, level, facility, message in
            guard let handle, let opaque = rd_kafka_opaque(handle) else { return }
            let context = Unmanaged<ClientContext>.fromOpaque(opaque).takeUnretainedValue()
            context.log(level: level, facility: facility, message: message)
        }
        rd_kafka_conf_set_error_cb(conf) { handle, code, reason, opaque in
            guard let opaque else { return }
            let context = Unmanaged<ClientContext>.fromOpaque(opaque).takeUnretainedValue()
            context.recordError(handle: handle, code: rd_kafka_resp_err_t(code), reason: reason)
        }
    }

    static func from(_ opaque: UnsafeMutableRawPointer) -> ClientContext {
        Unmanaged<ClientContext>.fromOpaque(opaque).takeUnretainedValue()
    }

    private func log(level: Int32, facility: UnsafePointer<CChar>?, message: UnsafePointer<CChar>?) {
        guard let logger else { return }
        let swiftLevel: Logger.Level = switch level {
        case ...2: .critical
        case 3: .error
        case 4: .warning
        case 5: .notice
        case 6: .info
        default: .debug
        }
        let text = message.map { String(cString: $0) } ?? ""
        let source = facility.map { String(cString: $0) } ?? "?"
        logger.log(level: swiftLevel, "librdkafka \(source): \(text)")
    }

    private func recordError(handle: OpaquePointer?, code: rd_kafka_resp_err_t, reason: UnsafePointer<CChar>?) {
        var text = reason.map { String(cString: $0) } ?? errorText(code)
        if code == RD_KAFKA_RESP_ERR__FATAL, let handle {
            let (fatalCode, fatalText) = withErrorText { rd_kafka_fatal_error(handle, $0, $1) }
            text = "\(errorText(fatalCode)): \(fatalText)"
            fatalError.withLock { $0 = $0 ?? text }
            logger?.critical("Kafka fatal error: \(text)")
        } else {
            logger?.warning("Kafka: \(text)")
        }
        lastError.withLock { $0 = text }
    }
}
