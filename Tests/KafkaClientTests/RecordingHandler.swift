import KafkaClient
import Synchronization

/// A batch handler for tests: records what arrived per partition and every rebalance call,
/// releases each message after an optional `inspect`, and starts partitions where told.
final class RecordingHandler: KafkaBatchHandler {
    enum Event: Equatable, Sendable {
        case assigned([KafkaTopicPartition])
        case revoked([KafkaTopicPartition])

        var partitions: [KafkaTopicPartition] {
            switch self {
            case let .assigned(partitions), let .revoked(partitions): partitions
            }
        }
    }

    /// What one partition delivered: how many messages, the first offset, the next offset
    /// expected, and how many messages broke contiguity (a gap or a repeat).
    struct PartitionLog: Equatable, Sendable {
        var count = 0
        var firstOffset: Int64?
        var nextOffset: Int64?
        var discontinuities = 0
    }

    struct Snapshot: Sendable {
        var partitions: [KafkaTopicPartition: PartitionLog] = [:]
        var events: [Event] = []
        var errors: [String] = []
        var total = 0
        var owned: Set<KafkaTopicPartition> = []
        var messagesOutsideAssignment = 0
    }

    private let state = Mutex(Snapshot())
    private let startOffsets: @Sendable ([KafkaTopicPartition]) throws -> [KafkaTopicPartition: Int64]
    private let inspect: @Sendable (KafkaMessage) -> Void

    init(startOffsets: @escaping @Sendable ([KafkaTopicPartition]) throws -> [KafkaTopicPartition: Int64] = { _ in [:] },
         inspect: @escaping @Sendable (KafkaMessage) -> Void = { _ in }) {
        self.startOffsets = startOffsets
        self.inspect = inspect
    }

    var snapshot: Snapshot { state.withLock { $0 } }

    func consume(_ messages: UnsafeBufferPointer<KafkaMessage>) {
        var errors: [String] = []
        for message in messages where !message.isError { inspect(message) }
        state.withLock { state in
            for message in messages {
                guard !message.isError else {
                    errors.append(message.errorDescription ?? "error \(message.errorCode)")
                    continue
                }
                let partition = KafkaTopicPartition(topic: message.topic ?? "?", partition: message.partition)
                if !state.owned.contains(partition) { state.messagesOutsideAssignment += 1 }
                var log = state.partitions[partition] ?? PartitionLog()
                if log.firstOffset == nil { log.firstOffset = message.offset }
                if let expected = log.nextOffset, expected != message.offset { log.discontinuities += 1 }
                log.nextOffset = message.offset + 1
                log.count += 1
                state.partitions[partition] = log
                state.total += 1
            }
            state.errors += errors
        }
        for message in messages { message.release() }
    }

    func partitionsAssigned(_ partitions: [KafkaTopicPartition]) throws -> [KafkaTopicPartition: Int64] {
        let starts = try startOffsets(partitions)
        state.withLock { state in
            state.events.append(.assigned(partitions.sorted(by: Self.order)))
            state.owned.formUnion(partitions)
            for partition in partitions {
                // A new assignment restarts contiguity tracking at the handler's start offset.
                state.partitions[partition, default: PartitionLog()].nextOffset = starts[partition] ?? 0
            }
        }
        return starts
    }

    func partitionsRevoked(_ partitions: [KafkaTopicPartition]) {
        state.withLock { state in
            state.events.append(.revoked(partitions.sorted(by: Self.order)))
            state.owned.subtract(partitions)
        }
    }

    func idle() {}

    static func order(_ left: KafkaTopicPartition, _ right: KafkaTopicPartition) -> Bool {
        (left.topic, left.partition) < (right.topic, right.partition)
    }
}
