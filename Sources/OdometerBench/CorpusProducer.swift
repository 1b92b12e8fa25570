import OdometerService
import Foundation
import KafkaClient
import Synchronization

/// A bench producer on a thread of its own: it sends a rendered corpus over and over (a new
/// cycle of ids each time round), at most `rate` messages per second (nil: as fast as
/// librdkafka takes them), never more than `maxLag` messages ahead of `committed` (nil: no
/// limit), until `limit` messages or `stop()`.
final class CorpusProducer: Sendable {
    private let producer: KafkaProducer
    private let topic: String
    private let corpus: RenderedCorpus
    private let rate: Int?
    private let maxLag: Int?
    private let committed: SharedCount?
    private let sent = Atomic<Int>(0)
    private let running = Atomic<Bool>(true)
    private let finished = DispatchSemaphore(value: 0)
    private let elapsed = Mutex<Duration?>(nil)

    init(brokers: String, topic: String, corpus: RenderedCorpus, properties: [String: String], rate: Int? = nil,
         maxLag: Int? = nil, committed: SharedCount? = nil) throws {
        producer = try KafkaProducer(bootstrapServers: brokers, properties: properties, logger: nil)
        self.topic = topic
        self.corpus = corpus
        self.rate = rate
        self.maxLag = maxLag
        self.committed = committed
    }

    /// Messages produced so far.
    var produced: Int { sent.load(ordering: .acquiring) }

    /// From the start until the last message was acknowledged (nil while producing).
    var duration: Duration? { elapsed.withLock { $0 } }

    func start(limit: Int = .max) {
        Thread.detachNewThread { [self] in
            let clock = ContinuousClock()
            let started = clock.now
            var scratch: [UInt8] = []
            var index = 0
            while running.load(ordering: .relaxed), index < limit {
                for _ in 0..<min(1000, limit - index) {
                    corpus.withEvent(index % corpus.count, cycle: index / corpus.count, scratch: &scratch) { key, value in
                        try? producer.produce(topic: topic, key: key, value: value)
                    }
                    index += 1
                }
                sent.store(index, ordering: .releasing)
                if let rate {
                    let wait = clock.now.duration(to: started + .nanoseconds(Int64(index) * 1_000_000_000 / Int64(rate)))
                    if wait > .zero {
                        usleep(UInt32(wait.components.seconds * 1_000_000 + wait.components.attoseconds / 1_000_000_000_000))
                    }
                }
                if let maxLag, let committed {
                    while index - committed.value > maxLag, running.load(ordering: .relaxed) { usleep(2000) }
                }
            }
            try? producer.flush(timeout: .seconds(120))
            elapsed.withLock { $0 = started.duration(to: clock.now) }
            finished.signal()
        }
    }

    /// Waits until every message is produced and acknowledged (after `limit`, or `stop()`).
    func wait() {
        finished.wait()
        finished.signal()
    }

    /// Stops after the current thousand and waits until Kafka has acknowledged every message.
    func stop() {
        running.store(false, ordering: .relaxed)
        wait()
    }
}

/// An integer one thread publishes and others read.
final class SharedCount: Sendable {
    private let atomic = Atomic<Int>(0)
    var value: Int { atomic.load(ordering: .relaxed) }
    func store(_ value: Int) { atomic.store(value, ordering: .relaxed) }
}
