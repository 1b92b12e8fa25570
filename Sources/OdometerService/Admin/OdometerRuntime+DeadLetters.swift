import Foundation
import KafkaClient

extension OdometerRuntime {
    /// `dlq replay`: reads the dead-letter topic without joining a consumer group (every
    /// partition from its low to its high watermark as of the start, then stops) and
    /// re-produces each selected dead letter to the main topic with its key and payload
    /// unchanged and without the `odometer-*` headers. The events keep their (source, id), so
    /// with dedup a second replay counts nothing more. Runs on its own thread (librdkafka
    /// calls block). Unreachable Kafka is an environment error.
    public func replayDeadLetters(_ request: DeadLetterReplayRequest) async throws -> DeadLetterReplayReport {
        let kafka = configuration.kafka
        let logger = logger
        do {
            return try await BlockingCall.run {
                let inspector = try KafkaTopicInspector(bootstrapServers: kafka.brokers, properties: kafka.properties,
                                                        timeout: .seconds(10), logger: nil)
                let ranges = try inspector.watermarks(topic: kafka.deadLetterTopic)
                let producer = request.dryRun ? nil
                    : try KafkaProducer(bootstrapServers: kafka.brokers, properties: kafka.properties, logger: logger)
                var report = DeadLetterReplayReport(dryRun: request.dryRun, deadLetterTopic: kafka.deadLetterTopic,
                                                    topic: kafka.topic)
                let reader = try KafkaPartitionReader(bootstrapServers: kafka.brokers, properties: kafka.properties,
                                                      logger: logger)
                try reader.read(topic: kafka.deadLetterTopic, ranges: ranges) { message in
                    report.scanned += 1
                    let record = DeadLetterRecord(message)
                    guard request.selects(reason: record.reason, appendedMilliseconds: record.appendedMilliseconds) else {
                        return
                    }
                    report.byReason[record.reason ?? "(none)", default: 0] += 1
                    if report.listed.count < DeadLetterReplayReport.listLimit { report.listed.append(record) }
                    try producer?.produce(topic: kafka.topic, key: message.key.isEmpty ? nil : message.key,
                                          value: message.payload,
                                          headers: message.headers.filter { !$0.name.hasPrefix("odometer-") }.map { ($0.name, $0.value) })
                }
                try producer?.flush(timeout: .seconds(60))
                logger.info("dead letters replayed", metadata: ["selected": "\(report.selected)", "dryRun": "\(request.dryRun)"])
                return report
            }
        } catch let error as KafkaError {
            switch error {
            case .unknownTopic: throw OdometerFailure.user(error.description)
            default: throw OdometerFailure.environment(error.description)
            }
        }
    }
}

extension DeadLetterRecord {
    /// Reads the position, append time and `odometer-*` headers of a dead letter.
    init(_ message: KafkaMessage) {
        func text(_ name: String) -> String? {
            message.header(name).map { String(decoding: $0, as: UTF8.self) }
        }
        self.init(partition: message.partition, offset: message.offset,
                  appendedMilliseconds: message.timestampMilliseconds, reason: text("odometer-reason"),
                  sourcePartition: text("odometer-source-partition").flatMap { Int32($0) },
                  sourceOffset: text("odometer-source-offset").flatMap { Int64($0) })
    }
}
