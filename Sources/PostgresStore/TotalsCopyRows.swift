/// Totals deltas of one flush, already encoded as COPY text rows for the delta table.
///
/// Append-only; each row is (account, meter, period, dimensions, events, sum, min, max, latest value, latest
/// position). Numerics are exact decimal text (never `Double`); nil becomes NULL. The same key may appear in
/// several rows (several shards, several flushes): the compactor groups them. Rows come in two shapes, each
/// COPYed as its own stream (`streams`): all thirteen columns (`text`), or only the first six (`additiveText`,
/// the rows of SUM, AVG, COUNT and UNIQUE_COUNT meters that shards encode, whose other columns are NULL and
/// so left out of the COPY; see `ShardDelta`). Value type (copy-on-write bytes); not for concurrent mutation.
public struct TotalsCopyRows: Sendable {
    var text: CopyTextBuffer
    var additiveText: CopyTextBuffer
    /// Rows appended so far, of both shapes.
    public private(set) var count = 0

    public init(reservingBytes: Int = 4096) {
        text = CopyTextBuffer(capacity: reservingBytes)
        additiveText = CopyTextBuffer(capacity: 0)
    }

    /// Appends another set of rows (e.g. another shard's).
    public mutating func append(contentsOf other: TotalsCopyRows) {
        guard !other.isEmpty else { return }
        text.append(other.text)
        additiveText.append(other.additiveText)
        count += other.count
    }

    public var isEmpty: Bool { count == 0 }
    /// Size of the encoded rows in bytes.
    public var byteCount: Int { text.byteCount + additiveText.byteCount }

    public mutating func removeAll() {
        text.removeAll()
        additiveText.removeAll()
        count = 0
    }

    /// The COPY streams to send, each with its columns; a shape without rows is left out.
    var streams: [(rows: CopyTextBuffer, columns: [String])] {
        [(text, Self.columns), (additiveText, Self.additiveColumns)].filter { $0.rows.byteCount > 0 }
    }

    /// Appends one delta; `sum`, `min`, `max` and `latest.value` are exact decimal text such as "12.5".
    public mutating func append(account: String, meter: String, period: String, dimensions: String,
                                events: Int64, sum: String, min: String?, max: String?, latest: LatestSample?) {
        // Strings go through the byte variant, so the encoding lives in one place.
        let fields = [account, meter, period, dimensions, sum, min ?? "", max ?? "", latest?.value ?? ""]
        withUTF8Fields(fields) { bytes in
            append(account: bytes[0], meter: bytes[1], period: bytes[2], dimensions: bytes[3], events: events,
                   sum: bytes[4], min: min == nil ? nil : bytes[5], max: max == nil ? nil : bytes[6],
                   latestValue: latest == nil ? nil : bytes[7], latestPosition: latest?.position)
        }
    }

    /// The same as the `String` variant, reading every text and decimal field from UTF-8 bytes, so a caller can
    /// encode straight from its own storage. `latestValue` and `latestPosition` are both nil or both set.
    public mutating func append(account: UnsafeRawBufferPointer, meter: UnsafeRawBufferPointer,
                                period: UnsafeRawBufferPointer, dimensions: UnsafeRawBufferPointer,
                                events: Int64, sum: UnsafeRawBufferPointer,
                                min: UnsafeRawBufferPointer?, max: UnsafeRawBufferPointer?,
                                latestValue: UnsafeRawBufferPointer?, latestPosition: EventPosition?) {
        precondition((latestValue == nil) == (latestPosition == nil),
                     "a LATEST value needs its event position, and a position needs its value")
        text.writeEscaped(account)
        text.separator()
        text.writeEscaped(meter)
        text.separator()
        text.writeEscaped(period)
        text.separator()
        text.writeEscaped(dimensions)
        text.separator()
        text.writeDecimal(events)
        text.separator()
        text.writeEscaped(sum)
        text.separator()
        text.writeOptionalEscaped(min)
        text.separator()
        text.writeOptionalEscaped(max)
        text.separator()
        text.writeOptionalEscaped(latestValue)
        writePosition(latestPosition)
        count += 1
    }

    private mutating func writePosition(_ position: EventPosition?) {
        guard let position else {
            for _ in 0..<4 {
                text.separator()
                text.writeNull()
            }
            text.endRow()
            return
        }
        text.separator()
        text.writeDecimal(position.timeSeconds)
        text.separator()
        text.writeDecimal(position.timeNanos)
        text.separator()
        text.writeDecimal(position.partition)
        text.separator()
        text.writeDecimal(position.offset)
        text.endRow()
    }

    /// Delta table columns, in the order the rows are written.
    static let columns = ["account", "meter", "period", "dimensions", "events", "sum_value", "min_value",
                          "max_value", "latest_value", "latest_time_s", "latest_time_ns", "latest_partition",
                          "latest_offset"]
    /// The columns of an additive row: the first six.
    static let additiveColumns = Array(columns.prefix(6))
}

extension TotalsCopyRows {
    /// The columns a block of encoded rows holds.
    public enum Shape: Sendable {
        /// All thirteen columns.
        case full
        /// Account, meter, period, dimensions, events, sum_value (SUM, AVG, COUNT, UNIQUE_COUNT rows).
        case additive
    }

    /// Appends `rows` rows that the caller already encoded as COPY text in the columns of `shape`
    /// (the aggregation core's `ShardDelta` does), without re-encoding them.
    public mutating func appendEncodedRows(_ encoded: UnsafeRawBufferPointer, rows: Int, shape: Shape = .full) {
        guard rows > 0 else { return }
        switch shape {
        case .full: text.writeEncodedRows(encoded)
        case .additive: additiveText.writeEncodedRows(encoded)
        }
        count += rows
    }

    /// The same, taking the array itself (no copy) while no row of that shape was appended field by field.
    public mutating func adoptEncodedRows(_ encoded: [UInt8], rows: Int, shape: Shape = .full) {
        guard rows > 0 else { return }
        switch shape {
        case .full: text.adoptEncodedRows(encoded)
        case .additive: additiveText.adoptEncodedRows(encoded)
        }
        count += rows
    }
}
