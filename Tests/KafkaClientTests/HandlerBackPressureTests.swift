import KafkaClient
import OdometerTestSupport
import Synchronization
import Testing

/// Pausing and resuming every partition from inside the handler, as the pipeline's
/// back-pressure does when all its shards are behind.
@Suite("Back-pressure from the handler on the mock cluster")
struct HandlerBackPressureTests {
    /// Pauses every partition each time another `every` messages have arrived (from `consume`,
    /// so the pause applies at once), and resumes them after six polls (long enough for
    /// librdkafka's broker threads to fall asleep with nothing to fetch), seeking each partition
    /// to the offset after its last delivered message, as `MessageRouter` does.
    final class StopAndGoHandler: KafkaBatchHandler {
        struct State {
            var nextOffsets: [Int32: Int64] = [:]
            var delivered = 0
            var discontinuities = 0
            var assigned: [KafkaTopicPartition] = []
            var paused = false
            var pauses = 0
            var pollsWhilePaused = 0
            /// Per resume: the polls that brought nothing before messages came again.
            var emptyPollsAfterResumes: [Int] = []
            var emptyPollsSinceResume: Int?
            var deliveredAtLastPoll = 0
        }

        let consumer = Mutex<KafkaBatchConsumer?>(nil)
        let state = Mutex(State())
        let every: Int

        init(every: Int) { self.every = every }

        func consume(_ messages: UnsafeBufferPointer<KafkaMessage>) {
            var pause: [KafkaTopicPartition] = []
            state.withLock { state in
                for message in messages where !message.isError {
                    let expected = state.nextOffsets[message.partition] ?? 0
                    if message.offset != expected { state.discontinuities += 1 }
                    state.nextOffsets[message.partition] = message.offset + 1
                    state.delivered += 1
                }
                if !state.paused, state.delivered >= (state.pauses + 1) * every {
                    state.paused = true
                    state.pauses += 1
                    state.pollsWhilePaused = 0
                    pause = state.assigned
                }
            }
            for message in messages { message.release() }
            if !pause.isEmpty { consumer.withLock { $0 }?.pause(pause) }
        }

        func idle() {
            var resume: (partitions: [KafkaTopicPartition], positions: [KafkaTopicPartition: Int64])?
            state.withLock { state in
                defer { state.deliveredAtLastPoll = state.delivered }
                if state.paused {
                    state.pollsWhilePaused += 1
                    guard state.pollsWhilePaused >= 6 else { return }
                    state.paused = false
                    state.emptyPollsSinceResume = 0
                    var positions: [KafkaTopicPartition: Int64] = [:]
                    for (partition, next) in state.nextOffsets {
                        positions[KafkaTopicPartition(topic: "usage", partition: partition)] = next
                    }
                    resume = (state.assigned, positions)
                } else if let empty = state.emptyPollsSinceResume {
                    if state.delivered > state.deliveredAtLastPoll {
                        state.emptyPollsAfterResumes.append(empty)
                        state.emptyPollsSinceResume = nil
                    } else {
                        state.emptyPollsSinceResume = empty + 1
                    }
                }
            }
            if let resume { consumer.withLock { $0 }?.resume(resume.partitions, seeking: resume.positions) }
        }

        func partitionsAssigned(_ partitions: [KafkaTopicPartition]) throws -> [KafkaTopicPartition: Int64] {
            state.withLock { $0.assigned = partitions }
            return [:]
        }

        func partitionsRevoked(_ partitions: [KafkaTopicPartition]) {
            state.withLock { $0.assigned = [] }
        }
    }

    /// One broker leads every partition, or three share them (a seek wakes only the broker
    /// thread of its partition's leader, so every partition is sought).
    @Test(arguments: [1, 3])
    func pausingEveryPartitionAndResumingWithSeeksDeliversEachMessageOnceAndWithoutAStall(brokers: Int) async throws {
        let cluster = try KafkaMockCluster(brokers: brokers, logger: nil)
        defer { cluster.close() }
        try ConsumerGroupTests.fill(cluster, topic: "usage", partitions: 3, count: 400)
        let handler = StopAndGoHandler(every: 150)
        // Polls wait 50 ms: a resumed partition left to librdkafka's own wake-up (up to a
        // second once every partition was paused) took 14 empty polls after each resume.
        let consumer = try KafkaBatchConsumer(
            configuration: testConsumerConfiguration(cluster, group: "stop-and-go", batchSize: 10),
            handler: handler, logger: nil)
        handler.consumer.withLock { $0 = consumer }
        defer { handler.consumer.withLock { $0 = nil } }

        try consumer.start(subscribing: ["usage"])
        let done = try await eventually(within: .seconds(60)) { handler.state.withLock { $0.delivered } == 1_200 }
        consumer.stop()

        let state = handler.state.withLock { $0 }
        #expect(done)
        #expect(state.delivered == 1_200)
        #expect(state.discontinuities == 0)
        #expect(state.nextOffsets == [0: 400, 1: 400, 2: 400])
        #expect(state.pauses >= 5)
        let waits = state.emptyPollsAfterResumes.sorted()
        #expect(waits.count >= 5)
        #expect(waits.isEmpty || waits[waits.count / 2] <= 2, "empty polls after each resume: \(waits)")
    }
}
