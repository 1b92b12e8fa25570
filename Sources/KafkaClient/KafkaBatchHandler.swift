/// What a `KafkaBatchConsumer` calls, always on its own consumer thread, one call at a time.
///
/// The calls follow the group's life: `partitionsAssigned` before any message of those
/// partitions, then `consume` batches, then `partitionsRevoked` before they are taken away (a
/// rebalance, `stop()`). A batch never holds a message of a partition that was revoked before
/// it, and never straddles a rebalance.
public protocol KafkaBatchHandler: AnyObject, Sendable {
    /// Takes ownership of every message in `messages`: each must be `release()`d exactly once,
    /// on any thread, later. The buffer itself is reused after the call returns, so copy the
    /// `KafkaMessage` values (8 bytes each) that are kept.
    ///
    /// Consumer events (e.g. an unknown topic, partition EOF) arrive here too, as messages
    /// with `isError`; they must be released as well.
    func consume(_ messages: UnsafeBufferPointer<KafkaMessage>)

    /// The group assigned `partitions`. Returns where each one starts: the next offset to
    /// read. A partition missing from the result starts at the beginning of its log. May
    /// block (e.g. to read offsets from Postgres); throwing stops the consumer, which then
    /// ends with `.failed(.assignmentHandlerFailed)`.
    func partitionsAssigned(_ partitions: [KafkaTopicPartition]) throws -> [KafkaTopicPartition: Int64]

    /// `partitions` are about to be taken away (rebalance or graceful stop). Flush their state
    /// and release their messages here; this may block. Not called after `stopWithoutLeaving`.
    func partitionsRevoked(_ partitions: [KafkaTopicPartition])

    /// Called once per poll iteration, even when no message arrived (at least every poll
    /// timeout while the consumer runs): a place for time-based work such as flush deadlines.
    func idle()

    /// Called once as the consumer shuts down, after the last `consume` and any revocation,
    /// before the client is destroyed. Destroying waits until every message handed out has
    /// been released, so release here each message still held that will not be handed on
    /// (after `stopWithoutLeaving` there is no revocation to hand them on).
    func releaseHeldMessages()
}

extension KafkaBatchHandler {
    /// For handlers that hold no message past the call that handed it to them.
    public func releaseHeldMessages() {}
}
