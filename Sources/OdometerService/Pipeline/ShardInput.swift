import KafkaClient

/// What a shard meters: one message, owned until `release()`. Kafka messages are the real
/// input; tests feed their own, so the shard loop runs under ThreadSanitizer without Kafka.
protocol ShardInput: Sendable {
    var payload: UnsafeRawBufferPointer { get }
    var key: UnsafeRawBufferPointer { get }
    var partition: Int32 { get }
    var offset: Int64 { get }
    /// A consumer event (not data): skipped, but released.
    var isError: Bool { get }
    var errorDescription: String? { get }
    /// When the message was appended to the log (Unix milliseconds), if known.
    var appendMilliseconds: Int64? { get }
    func release()
    /// Cache hints for a message the shard reaches soon (see `KafkaMessage`); inputs already in
    /// the cache need none.
    func prefetchHeader()
    func prefetchPayload()
}

extension ShardInput {
    func prefetchHeader() {}
    func prefetchPayload() {}
}

extension KafkaMessage: ShardInput {
    var appendMilliseconds: Int64? { timestampMilliseconds }
}

/// Where a shard sends invalid messages, unchanged, with their reason and source position.
protocol DeadLetterQueue: Sendable {
    func send(payload: UnsafeRawBufferPointer, key: UnsafeRawBufferPointer, partition: Int32, offset: Int64,
              reason: RejectionReason)
}

import MeteringCore
