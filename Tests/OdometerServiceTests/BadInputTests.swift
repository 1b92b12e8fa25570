import Foundation
import KafkaClient
import MeteringCore
import OdometerService
import Synchronization
import OdometerTestSupport
import Testing

/// A malformed event never stops the pipeline: it is dead-lettered unchanged with its reason
/// and source position, counted per reason, and its offset still advances.
@Suite(.serialized) struct BadInputTests {
    static let malformed: [(payload: String, reason: String)] = [
        ("not json at all", "invalid_json"),
        (#"{"specversion":"1.0","id":"x1","source":"s","type":"api_request","time":"2026-10-05T10:00:00Z","data":{"tokens":1}}"#,
         "missing_attribute:subject"),
        (#"{"specversion":"1.0","id":"x2","source":"s","type":"api_requets","subject":"acct-00001","time":"2026-10-05T10:00:00Z"}"#,
         "unknown_type"),
        (#"{"specversion":"1.0","id":"x3","source":"s","type":"api_request","subject":"acct-00001","time":"2026-10-05T10:00:00Z","data":{"tokens":"12abc","model":"m"}}"#,
         "bad_value:$.tokens"),
        (#"{"specversion":"1.0","id":"x4","source":"s","type":"api_request","subject":"acct-00001","time":"2026-10-31T23:59:60Z","data":{"tokens":1}}"#,
         "bad_time"),
    ]

    @Test func malformedEventsAreDeadLetteredCountedAndSkipped() async throws {
        try await PipelineEnvironment.with(partitions: 4, accounts: 100) { environment in
            try await environment.produce(5_000)
            try await environment.produceRaw(Self.malformed.map(\.payload))
            try await environment.produce(5_000, first: 5_000)
            let pipeline = try environment.pipeline()
            try await environment.meterUntilCaughtUp(pipeline)

            let usage = try await environment.usage()
            let expected = environment.recount(5_000, 5_000).figures
            #expect(usage == expected)
            let committed = await pipeline.committed
            #expect(committed.rejections == Dictionary(Self.malformed.map { ($0.reason, 1) }, uniquingKeysWith: +))

            let letters = try await DeadLetterReader.read(brokers: environment.kafka.bootstrapServers,
                                                    topic: "usage.dlq", count: Self.malformed.count)
            #expect(Set(letters.map(\.payload)) == Set(Self.malformed.map(\.payload)))
            for letter in letters {
                let reason = Self.malformed.first { $0.payload == letter.payload }!.reason
                #expect(letter.reason == reason)
                #expect(Int32(letter.partition) != nil && Int64(letter.offset) != nil)
            }
        }
    }
}
