import KafkaClient
import Logging
import MeteringCore
import Synchronization

/// Sends invalid messages, unchanged, to the dead-letter topic with the reason and the source
/// position in headers (DESIGN §2): `odometer-reason`, `odometer-source-partition`,
/// `odometer-source-offset`. Thread-safe (the producer is); called from shard threads.
///
/// Sends are asynchronous. The flusher calls `awaitDelivery` before it commits the offsets
/// past those messages, so a dead letter is never lost (it may be written twice after a crash).
final class DeadLetterSink: DeadLetterQueue {
    let topic: String
    private let producer: KafkaProducer
    private let logger: Logger

    init(topic: String, producer: KafkaProducer, logger: Logger) {
        self.topic = topic
        self.producer = producer
        self.logger = logger
    }

    func send(payload: UnsafeRawBufferPointer, key: UnsafeRawBufferPointer, partition: Int32, offset: Int64,
              reason: RejectionReason) {
        let code = reason.code
        let headers: [(String, [UInt8])] = [
            ("odometer-reason", Array(code.utf8)),
            ("odometer-source-partition", Array(String(partition).utf8)),
            ("odometer-source-offset", Array(String(offset).utf8)),
        ]
        logger.warning("dead-lettered event", metadata: [
            "reason": "\(code)", "partition": "\(partition)", "offset": "\(offset)"])
        do {
            try producer.produce(topic: topic, key: key, value: payload, headers: headers)
        } catch {
            // Not delivered now; `awaitDelivery` fails the flush, so the offset is not committed
            // and the message is read (and dead-lettered) again.
            logger.error("cannot queue dead letter: \(error)")
            failedSends.add(1, ordering: .relaxed)
        }
    }

    /// Waits until every dead letter sent so far is acknowledged by Kafka (on a thread of its own:
    /// with the broker away the wait lasts the whole timeout).
    func awaitDelivery(timeout: Duration) async throws {
        let failed = failedSends.exchange(0, ordering: .relaxed)
        if failed > 0 { throw DeadLetterError.notQueued(count: failed) }
        let producer = producer
        try await BlockingCall.run { try producer.flush(timeout: timeout) }
    }

    private let failedSends = Atomic<Int>(0)
}

enum DeadLetterError: Error, CustomStringConvertible {
    case notQueued(count: Int)

    var description: String {
        switch self {
        case .notQueued(let count):
            "\(count) dead letters could not be queued for Kafka; their offsets stay uncommitted"
        }
    }
}
