import CRdKafka

extension KafkaMessage {
    /// The value of the last header called `name`, not copied (valid until `release()`); nil if
    /// the message has no such header. A header with a null value reads as empty.
    ///
    /// The first header access parses the message's header block inside librdkafka (one
    /// allocation per message); meant for dead letters and tests, not the hot path.
    public func header(_ name: String) -> UnsafeRawBufferPointer? {
        guard let headers = headerList else { return nil }
        var value: UnsafeRawPointer?
        var size = 0
        guard rd_kafka_header_get_last(headers, name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR else {
            return nil
        }
        return UnsafeRawBufferPointer(start: value, count: size)
    }

    /// Every header in order, copied into Swift values. Slow path.
    public var headers: [(name: String, value: [UInt8])] {
        guard let headers = headerList else { return [] }
        var result: [(name: String, value: [UInt8])] = []
        var index = 0
        var name: UnsafePointer<CChar>?
        var value: UnsafeRawPointer?
        var size = 0
        while rd_kafka_header_get_all(headers, index, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
            let bytes = Array(UnsafeRawBufferPointer(start: value, count: size))
            result.append((name.map { String(cString: $0) } ?? "", bytes))
            index += 1
        }
        return result
    }

    private var headerList: OpaquePointer? {
        var headers: OpaquePointer?
        guard rd_kafka_message_headers(raw, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
        return headers
    }
}
