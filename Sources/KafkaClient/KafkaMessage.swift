import CacheHints
import CRdKafka

/// One consumed Kafka message, not copied: a view of librdkafka's `rd_kafka_message_t`.
///
/// Ownership: the batch handler that receives a message owns it and must call `release()`
/// exactly once, from any thread, when it no longer reads `payload`, `key` or headers. Until
/// then the bytes stay valid and librdkafka keeps a reference on its client, so a consumer's
/// shutdown (`rd_kafka_destroy`) waits for every message to be released. Reading after
/// `release()`, or releasing twice, is undefined behaviour.
///
/// Thread-safety: a message may be handed to another thread (hence `Sendable`), but only one
/// thread may use it at a time. The accessors are O(1) and allocate nothing, except `topic`,
/// `errorDescription` and `headers`, which build Swift values (slow path).
public struct KafkaMessage: @unchecked Sendable, BitwiseCopyable {
    // @unchecked Sendable is safe: the pointee is immutable after librdkafka hands it out, and
    // the ownership rule above (one owner at a time, release once) is the same one that governs
    // any moved buffer. librdkafka's message destroy is thread-safe.
    let raw: UnsafeMutablePointer<rd_kafka_message_t>

    init(_ raw: UnsafeMutablePointer<rd_kafka_message_t>) {
        self.raw = raw
    }

    public var partition: Int32 { raw.pointee.partition }

    /// The message's offset in its partition (for an error, the offset it refers to, if any).
    public var offset: Int64 { raw.pointee.offset }

    /// The topic name. Slow path: builds a String.
    public var topic: String? {
        guard let topic = raw.pointee.rkt else { return nil }
        return String(cString: rd_kafka_topic_name(topic))
    }

    /// The value bytes; empty for a message without value and for an error.
    public var payload: UnsafeRawBufferPointer {
        guard raw.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: raw.pointee.payload, count: raw.pointee.len)
    }

    /// Starts loading the message's header into the cache, for a reader that reaches it soon:
    /// librdkafka's fetch thread wrote it on another core. A hint; it reads nothing.
    ///
    /// The lines that hold what a shard reads: bytes 0–63 (error, partition, payload pointer
    /// and length, offset) and 0x5c–0x67, the timestamp's type and value, which librdkafka 2.0
    /// keeps in its private message struct right after `rd_kafka_message_t`. The header is not
    /// always 64-byte aligned, so those are two or three lines, not always `raw` and `raw + 64`:
    /// with only those two, `rd_kafka_message_timestamp` stalled on its first load in 1% of the
    /// shards' samples of `bench`'s (d) (134 of 12,929), with all four 12 of 13,920 (`perf annotate`).
    @inline(__always)
    public func prefetchHeader() {
        let header = UnsafeRawPointer(raw)
        cache_prefetch(header)
        cache_prefetch(header + 63)
        cache_prefetch(header + 0x5c)
        cache_prefetch(header + 0x67)
    }

    /// Starts loading the payload's first three cache lines (a usage event's JSON is about 170
    /// bytes). Reads the header: prefetch that first.
    @inline(__always)
    public func prefetchPayload() {
        guard let start = raw.pointee.payload else { return }
        let length = raw.pointee.len
        cache_prefetch(start)
        if length > 64 { cache_prefetch(start + 64) }
        if length > 128 { cache_prefetch(start + 128) }
    }

    /// The key bytes; empty when the message has no key.
    public var key: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: raw.pointee.key, count: raw.pointee.key_len)
    }

    /// The message timestamp in milliseconds since the epoch, if the message carries one.
    public var timestampMilliseconds: Int64? {
        var type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let value = rd_kafka_message_timestamp(raw, &type)
        return type == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE ? nil : value
    }

    /// librdkafka's error code (`rd_kafka_resp_err_t`); 0 for a normal message.
    public var errorCode: Int32 { raw.pointee.err.rawValue }

    /// True when this is a consumer event (e.g. partition EOF, unknown topic), not data.
    public var isError: Bool { raw.pointee.err != RD_KAFKA_RESP_ERR_NO_ERROR }

    /// True when the fetcher found the partition's offset out of range and, with
    /// `auto.offset.reset=error`, stopped fetching it (`offset` is the offset it asked for).
    public var isOffsetOutOfRange: Bool { raw.pointee.err == RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET }

    /// True for the "reached the end of the partition" event (only with `enable.partition.eof`).
    public var isPartitionEnd: Bool { raw.pointee.err == RD_KAFKA_RESP_ERR__PARTITION_EOF }

    /// librdkafka's text for an error message; nil for a normal message. Slow path.
    public var errorDescription: String? {
        guard isError else { return nil }
        return rd_kafka_message_errstr(raw).map { String(cString: $0) } ?? errorText(raw.pointee.err)
    }

    /// Gives the message back to librdkafka. Call exactly once.
    public func release() {
        rd_kafka_message_destroy(raw)
    }
}
