import Foundation
public import Logging
import Synchronization

/// A consumer-group member that polls messages in batches on a dedicated OS thread and hands
/// them, uncopied, to a `KafkaBatchHandler`.
///
/// Offsets live with the handler (Postgres), not in Kafka: each assigned partition starts
/// where `partitionsAssigned` says, and `commitAdvisory` only feeds lag dashboards. The
/// consume path allocates nothing per message: one `rd_kafka_consume_batch_queue` call fills
/// a reused buffer of up to `batchSize` message pointers.
///
/// Life cycle: `init` (validates settings, creates the client), `start` (subscribes, starts
/// the thread), then `stop()` (leave the group, revoke callback, wait for the thread) or
/// `stopWithoutLeaving()` (a crash, as far as the group can tell). A consumer runs once.
/// If the thread ends on its own (the handler threw, or librdkafka hit a fatal error),
/// `outcome` says why; `finished()` waits for that.
///
/// Thread-safe: every method may be called from any thread, handler callbacks included
/// (`stop` called from a callback only requests the stop, it cannot wait for itself).
/// Dropping a running consumer stops it gracefully and waits.
public final class KafkaBatchConsumer: Sendable {
    public let configuration: KafkaConsumerConfiguration
    private let control = ConsumerControl()
    private let session: Mutex<ConsumerSession?>
    private let thread = Mutex<ThreadBox?>(nil)

    private struct ThreadBox: @unchecked Sendable {
        // @unchecked Sendable is safe: the Thread object is only compared for identity, and the
        // handle is used only on that thread (`submit`), where the session owns it.
        let thread: Thread
        let handle: OpaquePointer
    }

    /// Creates the librdkafka client; fails on an invalid setting. `logger` receives
    /// librdkafka's messages and errors (nil: silence).
    public init(configuration: KafkaConsumerConfiguration, handler: any KafkaBatchHandler,
                logger: Logger? = Logger(label: "odometer.kafka.consumer")) throws {
        self.configuration = configuration
        session = Mutex(try ConsumerSession(configuration: configuration, handler: handler,
                                            control: control, logger: logger))
    }

    deinit {
        if let unstarted = session.withLock({ $0.take() }) {
            unstarted.shutDown(leavingGroup: true)
        } else {
            stop()
        }
    }

    public var outcome: KafkaConsumerOutcome { control.outcome }

    /// Polls so far that returned a whole batch (`batchSize` messages): while it grows, the
    /// consumer is catching up or the input is heavy.
    public var fullBatches: Int { control.fullBatches.load(ordering: .relaxed) }

    /// Subscribes to `topics` and starts the consumer thread.
    public func start(subscribing topics: [String]) throws {
        guard let session = session.withLock({ $0.take() }) else { throw KafkaError.consumerAlreadyStarted }
        do {
            try session.subscribe(topics)
        } catch {
            self.session.withLock { $0 = session }
            throw error
        }
        guard control.markStarted(messageQueue: session.messageQueue) else {
            session.shutDown(leavingGroup: true)
            throw KafkaError.consumerAlreadyStarted
        }
        let name = String("kc:\(configuration.groupID.filter(\.isASCII))".prefix(15))  // Linux: 15 bytes at most
        let thread = Thread {
            Thread.current.name = name
            session.run()
        }
        self.thread.withLock { $0 = ThreadBox(thread: thread, handle: session.handle) }
        thread.start()
    }

    /// Leaves the group gracefully: the thread finishes its batch, runs `partitionsRevoked`
    /// (inside `rd_kafka_consumer_close`), destroys the client and ends. Waits for that,
    /// unless called on the consumer thread itself.
    public func stop() {
        control.requestStop(.leave)
        waitUnlessOnConsumerThread()
    }

    /// Stops like a crash: no LeaveGroup and no revoke callback, so the group reassigns this
    /// member's partitions only after `sessionTimeout`. Waits for the thread to end.
    public func stopWithoutLeaving() {
        control.requestStop(.crash)
        waitUnlessOnConsumerThread()
    }

    /// Blocks until the consumer thread has ended (at once if it never started).
    public func waitUntilFinished() -> KafkaConsumerOutcome {
        waitUnlessOnConsumerThread()
        return control.outcome
    }

    /// Suspends until the consumer thread has ended, and returns why it ended.
    public func finished() async -> KafkaConsumerOutcome {
        await withCheckedContinuation { continuation in
            control.whenEnded { continuation.resume() }
        }
        return control.outcome
    }

    /// Stops fetching `partitions` (back-pressure). Applied by the consumer thread before its
    /// next poll, or at once when called by the handler's `consume` or `idle`; messages already
    /// fetched but not delivered are dropped and fetched again on `resume`.
    public func pause(_ partitions: [KafkaTopicPartition]) {
        submit(.pause(partitions))
    }

    /// Fetches `partitions` again from the position after the last delivered message; applied
    /// like `pause`. Each partition in `positions` is also sought to its offset there, which
    /// must be that position (the offset after the last message delivered): librdkafka handles
    /// a resume on its main thread and does not wake a broker thread that sleeps because every
    /// partition it fetches was paused, so without a seek (which wakes it) the resumed
    /// partitions waited up to a second (`rd_kafka_max_block_ms`) for their next fetch.
    public func resume(_ partitions: [KafkaTopicPartition], seeking positions: [KafkaTopicPartition: Int64] = [:]) {
        submit(.resume(partitions, seek: positions))
    }

    /// Applies a request made by the handler's `consume` or `idle` at once: the consumer thread
    /// is between two polls there, where librdkafka allows a pause. Queued, it waited for the
    /// end of the handler's call, and a handler that waits there for its shards (every
    /// partition paused) let librdkafka fetch for 100+ ms what the pause then dropped. Requests
    /// from other threads, or from a rebalance callback (before the assignment they concern),
    /// are queued for the consumer thread's next poll.
    private func submit(_ request: ConsumerControl.Request) {
        if control.handlerIsRunning.load(ordering: .relaxed),
           let box = thread.withLock({ $0 }), box.thread === Thread.current {
            ConsumerSession.apply([request], to: box.handle)
        } else {
            control.enqueue(request)
        }
    }

    /// Commits `offsets` (the next offset to read, per partition) to Kafka asynchronously,
    /// only so that lag dashboards work. Failures are logged at debug level and otherwise
    /// ignored; the source of truth for offsets is the handler's store.
    public func commitAdvisory(_ offsets: [KafkaTopicPartition: Int64]) {
        control.enqueue(.commit(offsets))
    }

    private func waitUnlessOnConsumerThread() {
        let onConsumerThread = thread.withLock { $0?.thread === Thread.current }
        if !onConsumerThread { control.waitUntilEnded() }
    }
}
