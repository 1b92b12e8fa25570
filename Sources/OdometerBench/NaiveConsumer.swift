import OdometerService
import Foundation
import KafkaClient
import Logging
import MeteringCore
import PostgresNIO
import PostgresStore
import Synchronization

/// (g) The naive consumer: one Postgres transaction per event (its meter rows upserted and
/// its offset moved), the obvious exactly-once design without batching. Runs for `duration`.
enum NaiveConsumer {
    static func measure(brokers: String, topic: String, catalog: MeterCatalog, postgres: PostgresClient,
                        duration: Duration, logger: Logger) async throws -> Double {
        let table = NaiveUpsertTable(client: postgres, logger: logger)
        try await table.create()
        let handler = Handler(catalog: catalog, table: table, duration: duration)
        let consumer = try KafkaBatchConsumer(
            configuration: .init(bootstrapServers: brokers, groupID: "bench-naive-\(UUID().uuidString.prefix(8))",
                                 sessionTimeout: .seconds(6), batchSize: 1000),
            handler: handler, logger: nil)
        try consumer.start(subscribing: [topic])
        // The window opens at the first message (joining the group takes a few seconds).
        let deadline = ContinuousClock.now + duration + .seconds(60)
        while !handler.isDone, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { consumer.stop(); continuation.resume() }
        }
        try await table.drop()
        let (count, window) = handler.result()
        if count == 0, let error = handler.lastError.withLock({ $0 }) {
            throw OdometerFailure.environment("the naive consumer could not write: \(error)")
        }
        return window.map { Double(count) / $0.seconds } ?? 0
    }

    /// Runs on the consumer thread: decodes each event and waits for its transaction.
    final class Handler: KafkaBatchHandler, @unchecked Sendable {
        // @unchecked Sendable is safe: `decoder` is used only on the consumer thread; the
        // counters are behind a Mutex.
        let decoder: EventDecoder
        let table: NaiveUpsertTable
        let duration: Duration
        let lastError = Mutex<String?>(nil)
        private let progress = Mutex<(count: Int, first: ContinuousClock.Instant?, last: ContinuousClock.Instant?)>((0, nil, nil))

        init(catalog: MeterCatalog, table: NaiveUpsertTable, duration: Duration) {
            decoder = EventDecoder(catalog: catalog)
            self.table = table
            self.duration = duration
        }

        /// The window has closed.
        var isDone: Bool {
            progress.withLock { state in state.first.map { $0.duration(to: .now) >= duration } ?? false }
        }

        func result() -> (Int, Duration?) {
            progress.withLock { state in
                guard let first = state.first, let last = state.last else { return (0, nil) }
                return (state.count, first.duration(to: last))
            }
        }

        func consume(_ messages: UnsafeBufferPointer<KafkaMessage>) {
            for message in messages {
                defer { message.release() }
                guard !message.isError, !isDone else { continue }
                var rows: [NaiveUpsertTable.Row] = []
                if decoder.decode(message.payload) == nil {
                    let account = decoder.string(decoder.subject)
                    let period = PeriodCalendar.utc.period(containing: decoder.time).description
                    for (position, meter) in decoder.catalog.meterIndices(ofType: decoder.eventTypeIndex).enumerated() {
                        let aggregation = decoder.catalog.meters[meter].aggregation
                        rows.append(.init(account: account, meter: decoder.catalog.meters[meter].slug, period: period,
                                          dimensions: decoder.canonicalDimensions(meterPosition: position),
                                          quantity: aggregation.readsQuantity
                                              ? decoder.quantity(meterPosition: position).description : "1"))
                    }
                }
                let table = table
                let partition = message.partition
                let next = message.offset + 1
                let frozen = rows
                do {
                    try BlockingBridge.run { try await table.apply(frozen, partition: partition, nextOffset: next) }
                } catch {
                    lastError.withLock { $0 = "\(error)" }
                    continue
                }
                progress.withLock { state in
                    state.count += 1
                    if state.first == nil { state.first = .now }
                    state.last = .now
                }
            }
        }

        func partitionsAssigned(_ partitions: [KafkaTopicPartition]) throws -> [KafkaTopicPartition: Int64] { [:] }
        func partitionsRevoked(_ partitions: [KafkaTopicPartition]) {}
        func idle() {}
    }
}
