import CRdKafka
import Dispatch
import Synchronization

/// How a `KafkaBatchConsumer` stands: not started, running, or ended (and why).
public enum KafkaConsumerOutcome: Equatable, Sendable {
    case notStarted
    case running
    /// Ended by `stop()` or `stopWithoutLeaving()`.
    case stopped
    /// The consumer thread ended by itself on this error.
    case failed(KafkaError)
}

/// The mailbox between the threads that steer a consumer and its consumer thread: stop
/// requests, pause/resume/commit requests, the outcome, and the wait for the thread's end.
///
/// Shared by `KafkaBatchConsumer` and its `ConsumerSession`. Thread-safe.
final class ConsumerControl: Sendable {
    enum StopRequest: UInt8 {
        case none = 0
        case leave = 1   // graceful: rd_kafka_consumer_close, revoke callback
        case crash = 2   // no LeaveGroup: destroy without consumer close
    }

    enum Request {
        case pause([KafkaTopicPartition])
        case resume([KafkaTopicPartition], seek: [KafkaTopicPartition: Int64])
        case commit([KafkaTopicPartition: Int64])
    }

    private let stopRequest = Atomic<UInt8>(StopRequest.none.rawValue)
    private let requests = Mutex<[Request]>([])
    private let outcomeState = Mutex<KafkaConsumerOutcome>(.notStarted)
    /// The message queue while it exists, so other threads can wake a waiting poll.
    private let wakeTarget = Mutex<WakeTarget?>(nil)
    private let ended = DispatchGroup()
    /// Polls that returned a whole batch: the local queue held at least that many messages, so
    /// the consumer is behind the log or the log grows faster than one batch per poll.
    let fullBatches = Atomic<Int>(0)
    /// True while the consumer thread runs the handler's `consume` or `idle`, between two polls
    /// (`KafkaBatchConsumer.submit`). Written and, where it matters, read by that thread only.
    let handlerIsRunning = Atomic<Bool>(false)

    private struct WakeTarget: @unchecked Sendable {
        // @unchecked Sendable is safe: rd_kafka_queue_yield is documented as callable from any
        // thread, and the pointer is only used under `wakeTarget`'s lock, which the consumer
        // thread takes to clear it before destroying the queue.
        let queue: OpaquePointer
    }

    var outcome: KafkaConsumerOutcome { outcomeState.withLock { $0 } }
    var pendingStop: StopRequest { StopRequest(rawValue: stopRequest.load(ordering: .acquiring)) ?? .none }

    /// Marks the consumer as running; false if it was started before.
    func markStarted(messageQueue: OpaquePointer) -> Bool {
        let first = outcomeState.withLock { outcome in
            guard outcome == .notStarted else { return false }
            outcome = .running
            return true
        }
        if first {
            wakeTarget.withLock { $0 = WakeTarget(queue: messageQueue) }
            ended.enter()
        }
        return first
    }

    /// Asks the thread to stop; the first request wins. Returns whether the thread was running.
    @discardableResult
    func requestStop(_ request: StopRequest) -> Bool {
        _ = stopRequest.compareExchange(expected: StopRequest.none.rawValue, desired: request.rawValue,
                                        ordering: .acquiringAndReleasing)
        wake()
        return outcome == .running
    }

    func enqueue(_ request: Request) {
        requests.withLock { $0.append(request) }
        wake()
    }

    func takeRequests() -> [Request] {
        requests.withLock { requests in
            defer { requests = [] }
            return requests
        }
    }

    /// Called by the consumer thread before it destroys the message queue.
    func detachQueue() {
        wakeTarget.withLock { $0 = nil }
    }

    /// Called by the consumer thread as its very last action.
    func finish(_ outcome: KafkaConsumerOutcome) {
        outcomeState.withLock { $0 = outcome }
        ended.leave()
    }

    func waitUntilEnded() {
        ended.wait()
    }

    func whenEnded(_ action: @escaping @Sendable () -> Void) {
        ended.notify(queue: .global(), execute: action)
    }

    private func wake() {
        wakeTarget.withLock { target in
            if let target { rd_kafka_queue_yield(target.queue) }
        }
    }
}
