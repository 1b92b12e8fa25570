import CRdKafka

extension KafkaProducer {
    /// Enqueues one message; librdkafka copies `key`, `value` and the headers before returning,
    /// so the buffers may be reused at once. No Swift allocation happens unless `headers` is
    /// non-empty. Blocks only while the local queue is full (see the type's documentation).
    ///
    /// - Parameters:
    ///   - partition: nil lets the partitioner choose (murmur2 of the key).
    ///   - key: nil produces a message without key; an empty buffer produces an empty key.
    public func produce(topic: String, partition: Int32? = nil, key: UnsafeRawBufferPointer?,
                        value: UnsafeRawBufferPointer, headers: [(String, [UInt8])] = []) throws {
        try topic.withCString { topicName in
            try withUnsafeTemporaryAllocation(of: rd_kafka_vu_t.self, capacity: 6) { fields in
                var count = 0
                func append(_ type: rd_kafka_vtype_t, _ fill: (inout rd_kafka_vu_t) -> Void) {
                    var field = rd_kafka_vu_t()
                    field.vtype = type
                    fill(&field)
                    fields.initializeElement(at: count, to: field)
                    count += 1
                }
                append(RD_KAFKA_VTYPE_TOPIC) { $0.u.cstr = topicName }
                append(RD_KAFKA_VTYPE_PARTITION) { $0.u.i32 = partition ?? -1 }  // -1: RD_KAFKA_PARTITION_UA
                append(RD_KAFKA_VTYPE_MSGFLAGS) { $0.u.i = RD_KAFKA_MSG_F_COPY }
                append(RD_KAFKA_VTYPE_VALUE) {
                    $0.u.mem.ptr = UnsafeMutableRawPointer(mutating: value.baseAddress)
                    $0.u.mem.size = value.count
                }
                if let key {
                    append(RD_KAFKA_VTYPE_KEY) {
                        $0.u.mem.ptr = UnsafeMutableRawPointer(mutating: key.baseAddress)
                        $0.u.mem.size = key.count
                    }
                }
                let headerList = headers.isEmpty ? nil : Self.makeHeaderList(headers)
                if let headerList {
                    append(RD_KAFKA_VTYPE_HEADERS) { $0.u.headers = headerList }
                }
                defer { fields.baseAddress!.deinitialize(count: count) }
                try enqueue(fields: UnsafeBufferPointer(start: fields.baseAddress, count: count),
                            topic: topic, headerList: headerList)
            }
        }
        noteProduced()
    }

    /// Convenience for callers holding arrays; the load generator should use the buffer form.
    public func produce(topic: String, partition: Int32? = nil, key: [UInt8]?, value: [UInt8],
                        headers: [(String, [UInt8])] = []) throws {
        try value.withUnsafeBytes { valueBytes in
            if let key {
                try key.withUnsafeBytes { keyBytes in
                    try produce(topic: topic, partition: partition, key: keyBytes, value: valueBytes, headers: headers)
                }
            } else {
                try produce(topic: topic, partition: partition, key: nil, value: valueBytes, headers: headers)
            }
        }
    }

    /// Calls `rd_kafka_produceva`, retrying while the local queue is full. The header list is
    /// owned by librdkafka after success and destroyed here after a failure.
    private func enqueue(fields: UnsafeBufferPointer<rd_kafka_vu_t>, topic: String, headerList: OpaquePointer?) throws {
        var attempt = 0
        while let error = rd_kafka_produceva(handle, fields.baseAddress, fields.count) {
            let code = rd_kafka_error_code(error)
            let text = String(cString: rd_kafka_error_string(error))
            rd_kafka_error_destroy(error)
            guard code == RD_KAFKA_RESP_ERR__QUEUE_FULL else {
                if let headerList { rd_kafka_headers_destroy(headerList) }
                throw KafkaError.produceFailed(topic: topic, reason: text)
            }
            waitForRoom(attempt: attempt)
            attempt += 1
        }
    }

    private static func makeHeaderList(_ headers: [(String, [UInt8])]) -> OpaquePointer {
        let list = rd_kafka_headers_new(headers.count)!
        for (name, value) in headers {
            value.withUnsafeBytes { bytes in
                _ = rd_kafka_header_add(list, name, -1, bytes.baseAddress, bytes.count)
            }
        }
        return list
    }
}
