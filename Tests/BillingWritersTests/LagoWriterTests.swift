import BillingFakes
import MeteringCore
import Testing
@testable import BillingWriters

/// The Lago writer against the Lago fake (shared/contracts/lago.md), one fake per test.
@Suite struct LagoWriterTests {
    static func run(_ body: (LagoFake, String) async throws -> Void) async throws {
        let fake = LagoFake()
        let url = try await fake.start()
        do {
            try await body(fake, url)
        } catch {
            await fake.stop()
            throw error
        }
        await fake.stop()
    }

    static func writer(_ fake: LagoFake, _ url: String, apiKey: String? = nil) -> LagoWriter {
        LagoWriter(destination: LagoDestination(url: url, apiKey: apiKey ?? fake.validApiKey, timeout: .seconds(30)),
                   pacer: LineTestBed.openGate(), logger: LineTestBed.quietLogger)
    }

    static func lines(_ count: Int) -> [InvoiceDocument] {
        (0..<count).map { LineTestBed.line($0, destination: "lago", amount: "\($0).0\($0 % 10)", quantity: "\($0 * 3)") }
    }

    @Test func linesGoInBatchesOfAtMost100WithTheirKeysAsTransactionIDs() async throws {
        try await Self.run { fake, url in
            let documents = Self.lines(250)
            let outcomes = await Self.writer(fake, url).deliver(documents)
            #expect(fake.requestCount("POST /api/v1/events/batch") == 3)
            let events = Dictionary(uniqueKeysWithValues: fake.events().map { ($0.transactionID, $0) })
            #expect(events.count == 250)
            for (index, document) in documents.enumerated() {
                let event = try #require(events[document.idempotencyKey])
                #expect(event.subscription == "sub_\(index)" && event.code == "api_calls")
                #expect(event.timestamp == LineTestBed.novemberEnd - 1)
                #expect(event.properties == ["quantity": "\(index * 3)"])
                #expect(event.preciseTotalAmountCents == String(index * 100 + index % 10))
                #expect(outcomes[document.key] == .delivered(remoteId: event.lagoID))
            }
        }
    }

    @Test(arguments: [LagoDuplicateAnswer.validationError, .silentSuccess])
    func aResentEventIsDeliveredWhicheverWayLagoAnswersTheDuplicate(answer: LagoDuplicateAnswer) async throws {
        try await Self.run { fake, url in
            fake.answerDuplicates(answer)
            let documents = Self.lines(5)
            let writer = Self.writer(fake, url)
            _ = await writer.deliver(documents)
            let again = await writer.deliver(documents)
            #expect(documents.allSatisfy { again[$0.key]?.deliveredID != nil })
            #expect(fake.events().count == 5)
            if answer == .silentSuccess { #expect(fake.duplicatesReceived().values.reduce(0, +) == 5) }
        }
    }

    @Test func anInvalidEventIsDroppedFromTheBatchFailedVerbatimAndTheRestResent() async throws {
        try await Self.run { fake, url in
            let documents = Self.lines(10)
            let bad = documents[4]
            fake.refuseEvent(transactionID: bad.idempotencyKey, errors: ["code": ["metric_not_found"]])
            let outcomes = await Self.writer(fake, url).deliver(documents)
            #expect(outcomes[bad.key] == .failed(
                reason: "Lago refused event \(bad.idempotencyKey) (422 validation_errors): {\"code\":[\"metric_not_found\"]}"))
            #expect(documents.filter { outcomes[$0.key]?.deliveredID != nil }.count == 9)
            #expect(fake.events().count == 9 && fake.requestCount("POST /api/v1/events/batch") == 2)
        }
    }

    @Test func afterALostAnswerEachEventIsLookedUpInsteadOfBlindlyResent() async throws {
        try await Self.run { fake, url in
            let documents = Self.lines(6)
            fake.loseAnswersOfNext(1)
            let outcomes = await Self.writer(fake, url).deliver(documents)
            let stored = Dictionary(uniqueKeysWithValues: fake.events().map { ($0.transactionID, $0.lagoID) })
            #expect(documents.allSatisfy { outcomes[$0.key] == .delivered(remoteId: stored[$0.idempotencyKey]!) })
            #expect(fake.requestCount("POST /api/v1/events/batch") == 1)
            #expect(fake.requestCount("GET /api/v1/events") == 6)
        }
    }

    @Test func aLagoThatDropsPreciseAmountsFailsTheLinesWithTheFixAndSendsNoMore() async throws {
        try await Self.run { fake, url in
            fake.dropPreciseAmounts()
            let writer = Self.writer(fake, url)
            let first = await writer.deliver(Array(Self.lines(3)))
            #expect(first.values.allSatisfy { $0 == .failed(reason: LagoWriter.droppedAmountsFix) })
            let batches = fake.requestCount("POST /api/v1/events/batch")
            let second = await writer.deliver([LineTestBed.line(7, destination: "lago")])
            #expect(second.values.allSatisfy { $0 == .failed(reason: LagoWriter.droppedAmountsFix) })
            #expect(fake.requestCount("POST /api/v1/events/batch") == batches)
        }
    }

    @Test func aRateLimitIsRetriedAfterItsResetAndServerErrorsAreRetried() async throws {
        try await Self.run { fake, url in
            let writer = Self.writer(fake, url)
            let documents = Self.lines(3)
            fake.rateLimitNext(1, resetSeconds: 2)
            let limited = await writer.deliver(documents)
            #expect(limited.values.allSatisfy { if case .retry(_, let after) = $0 { after == .seconds(2) } else { false } })
            // The 429 paused the destination longer than the gate waits inline: nothing is sent until its reset.
            #expect(await writer.deliver(documents).values.allSatisfy { $0.isRetry })
            #expect(fake.requestCount("POST /api/v1/events/batch") == 1)
            try await Task.sleep(for: .milliseconds(2_100))
            fake.injectRandomFaults(RandomFaults(serverErrorPercent: 100))
            #expect(await writer.deliver(documents).values.allSatisfy { $0.isRetry })
            fake.injectRandomFaults(nil)
            #expect(await writer.deliver(documents).values.allSatisfy { $0.deliveredID != nil })
            #expect(fake.events().count == 3)
        }
    }

    @Test func aBadKeyOrAMissingSubscriptionFailsWithWhatToFix() async throws {
        try await Self.run { fake, url in
            let document = LineTestBed.line(1, destination: "lago")
            let rejected = await Self.writer(fake, url, apiKey: "wrong").deliver([document])
            #expect(rejected[document.key]?.failureReason?.hasPrefix("Lago answered 401") == true)
            var orphan = LineTestBed.line(2, destination: "lago")
            orphan.lagoSubscription = nil
            let outcome = await Self.writer(fake, url).deliver([orphan])
            #expect(outcome[orphan.key]?.failureReason == "account acct-2 has no lagoSubscription: set it to the "
                + "subscription's external id in Lago")
        }
    }
}
