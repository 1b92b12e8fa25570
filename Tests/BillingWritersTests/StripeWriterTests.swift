import BillingFakes
import MeteringCore
import Testing
@testable import BillingWriters

/// The Stripe writer against the Stripe fake (shared/contracts/stripe.md), one fake per test.
@Suite struct StripeWriterTests {
    /// 2026-12-03T00:00:00Z: November's last second is within the meter-event window.
    static let today: Int64 = 1_796_256_000

    static func run(customers: Int = 10, _ body: (StripeFake, String) async throws -> Void) async throws {
        let fake = StripeFake(now: { today })
        fake.addCustomers((0..<customers).map { "cus_\($0)" })
        let url = try await fake.start()
        do {
            try await body(fake, url)
        } catch {
            await fake.stop()
            throw error
        }
        await fake.stop()
    }

    static func writer(_ fake: StripeFake, _ url: String, mode: StripeDestination.Mode = .invoiceItems,
                       pacer: (any CallPacer)? = nil, timeout: Duration = .seconds(30)) -> StripeWriter {
        StripeWriter(destination: StripeDestination(url: url, apiKey: fake.validApiKey, mode: mode, timeout: timeout),
                     pacer: pacer ?? LineTestBed.openGate(), logger: LineTestBed.quietLogger)
    }

    @Test func eachLineBecomesOneInvoiceItemInExactMinorUnitsUnderItsOwnKey() async throws {
        try await Self.run { fake, url in
            let documents = [LineTestBed.line(0, destination: "stripe", amount: "12.30"),
                             LineTestBed.line(1, destination: "stripe", amount: "0.05"),
                             LineTestBed.line(2, destination: "stripe", amount: "-3.10"),
                             LineTestBed.line(3, destination: "stripe", amount: "1500", currency: "JPY", minorUnits: 0),
                             LineTestBed.line(4, destination: "stripe", amount: "0.125", currency: "BHD", minorUnits: 3)]
            let outcomes = await Self.writer(fake, url).deliver(documents)

            let items = Dictionary(uniqueKeysWithValues: fake.items().map { ($0.metadata["line_key"]!, $0) })
            #expect(items.count == 5)
            for (document, expected) in zip(documents, [(Int64(1230), "usd"), (5, "usd"), (-310, "usd"), (1500, "jpy"), (125, "bhd")]) {
                let item = try #require(items[document.key])
                #expect(item.amount == expected.0 && item.currency == expected.1)
                #expect(item.customer == document.stripeCustomer)
                #expect(item.periodStart == LineTestBed.novemberStart && item.periodEnd == LineTestBed.novemberEnd)
                #expect(item.metadata == ["line_key": document.key, "account": document.account, "meter": "api_calls",
                                          "period": "2026-11"])
                #expect(outcomes[document.key] == .delivered(remoteId: item.id))
            }
        }
    }

    @Test func anAmountFinerThanTheCurrencysMinorUnitFailsBeforeAnyCall() async throws {
        try await Self.run { fake, url in
            let document = LineTestBed.line(0, destination: "stripe", amount: "12.345")
            let outcomes = await Self.writer(fake, url).deliver([document])
            #expect(outcomes[document.key]?.failureReason?.contains("not a whole number of USD minor units") == true)
            #expect(fake.requestCount("POST /v1/invoiceitems") == 0)
        }
    }

    @Test func aLostAnswerIsRetriedUnderTheSameKeyAndReplayedNotBilledTwice() async throws {
        try await Self.run { fake, url in
            let document = LineTestBed.line(1, destination: "stripe")
            fake.loseAnswersOfNext(1)
            let writer = Self.writer(fake, url)
            #expect(await writer.deliver([document])[document.key]?.isRetry == true)
            #expect(fake.items().count == 1, "applied before the answer was lost")

            let again = await writer.deliver([document])
            #expect(again[document.key] == .delivered(remoteId: fake.items()[0].id))
            #expect(fake.duplicateLineKeys().isEmpty && fake.items().count == 1)
        }
    }

    @Test func rateLimitsAndServerErrorsAreRetriedWithTheSameKey() async throws {
        try await Self.run { fake, url in
            let document = LineTestBed.line(2, destination: "stripe")
            let writer = Self.writer(fake, url)
            fake.rateLimitNext(1)
            let limited = try #require(await writer.deliver([document])[document.key])
            #expect(limited == .retry(reason: "Stripe answered 429 invalid_request_error (rate_limit): Request rate limit "
                                        + "exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.",
                                      after: nil))
            fake.injectRandomFaults(RandomFaults(serverErrorPercent: 100))
            #expect(await writer.deliver([document])[document.key]?.isRetry == true)
            fake.injectRandomFaults(nil)
            #expect(await writer.deliver([document])[document.key]?.deliveredID != nil)
            #expect(fake.items().count == 1)
        }
    }

    @Test func aStoredServerErrorIsFinalForItsKeySoTheLineMovesToR1AfterReconciling() async throws {
        try await Self.run { fake, url in
            var document = LineTestBed.line(3, destination: "stripe")
            fake.failWithStoredServerError(lineKey: document.key)
            let writer = Self.writer(fake, url)
            // The first 500 may be transient: retried under the same key, which replays it.
            #expect(await writer.deliver([document])[document.key]?.isRetry == true)
            let replayed = await writer.deliver([document])[document.key]
            let r1 = document.idempotencyKey + ":r1"
            #expect(replayed == .rekey(newKey: r1, reason: "Stripe answered 500 api_error: An unknown error occurred "
                                         + "(replayed; no invoice item carries the line)"))
            #expect(fake.items().isEmpty)
            // The relay stores the new key, then sends under it.
            document.idempotencyKey = r1
            #expect(await writer.deliver([document])[document.key]?.deliveredID == fake.items().first?.id)
            #expect(fake.items().count == 1)
        }
    }

    @Test func aStoredServerErrorAfterTheItemWasCreatedIsReconciledAsDelivered() async throws {
        try await Self.run { fake, url in
            let document = LineTestBed.line(4, destination: "stripe")
            fake.failWithStoredServerError(lineKey: document.key, afterCreating: true)
            let writer = Self.writer(fake, url)
            _ = await writer.deliver([document])
            let outcome = await writer.deliver([document])
            #expect(outcome[document.key] == .delivered(remoteId: fake.items()[0].id))
            #expect(fake.items().count == 1)
        }
    }

    @Test func aValidationErrorFailsTheLineWithStripesMessageVerbatim() async throws {
        try await Self.run { fake, url in
            fake.addCustomers(["cus_eur"], currency: "eur")
            let unknown = LineTestBed.line(5, destination: "stripe", customer: "cus_missing")
            let mixed = LineTestBed.line(6, destination: "stripe", customer: "cus_eur")
            let outcomes = await Self.writer(fake, url).deliver([unknown, mixed])
            #expect(outcomes[unknown.key] == .failed(
                reason: "Stripe answered 400 invalid_request_error (resource_missing, param customer): No such customer: 'cus_missing'"))
            #expect(outcomes[mixed.key]?.failureReason?.hasSuffix(
                "You cannot combine currencies on a single customer. This customer has had a subscription, coupon, "
                    + "or invoice item with currency eur") == true)
            #expect(fake.items().isEmpty)
        }
    }

    @Test func aKeyReusedWithOtherParametersIsRefusedNotApplied() async throws {
        try await Self.run { fake, url in
            let writer = Self.writer(fake, url)
            let document = LineTestBed.line(7, destination: "stripe", amount: "1.00")
            _ = await writer.deliver([document])
            var changed = document
            changed.lines[0].amount = "2.00"
            let outcome = await writer.deliver([changed])[document.key]
            #expect(outcome?.failureReason?.contains("Keys for idempotent requests can only be used with the same parameters") == true)
            #expect(fake.items().map(\.amount) == [100])
        }
    }

    @Test func aRequestRacingOneInFlightWithTheSameKeyGets409AndIsRetried() async throws {
        try await Self.run { fake, url in
            // Long enough that the second request arrives while the first holds the key even on a
            // loaded machine (2 s was not, with the whole suite running on two cores).
            fake.slowDownProcessing(by: .seconds(8))
            let document = LineTestBed.line(8, destination: "stripe")
            let writer = Self.writer(fake, url)
            async let first = writer.deliver([document])
            // Send the second once the first is inside the fake, holding its key.
            while fake.requestCount("POST /v1/invoiceitems") == 0 { try await Task.sleep(for: .milliseconds(10)) }
            let second = await writer.deliver([document])
            let outcomes = [await first, second].compactMap { $0[document.key] }
            #expect(outcomes.filter { $0.deliveredID != nil }.count == 1)
            #expect(outcomes.contains { if case .retry(let reason, _) = $0 { reason.contains("409") } else { false } })
            #expect(fake.items().count == 1)
        }
    }

    @Test func aLineUnacknowledgedFor20HoursIsLookedUpBeforeItIsPostedAgain() async throws {
        try await Self.run { fake, url in
            var document = LineTestBed.line(9, destination: "stripe")
            let writer = Self.writer(fake, url)
            let id = try #require(await writer.deliver([document])[document.key]?.deliveredID)
            let posts = fake.requestCount("POST /v1/invoiceitems")
            document.unacknowledgedFor = .seconds(21 * 3600)
            #expect(await writer.deliver([document])[document.key] == .delivered(remoteId: id))
            #expect(fake.requestCount("POST /v1/invoiceitems") == posts, "found by listing: no second post")
            #expect(fake.requestCount("GET /v1/invoiceitems") == 1)
        }
    }

    @Test func meterEventsCountADuplicateIdentifierAsDeliveredEvenUnderANewKey() async throws {
        try await Self.run { fake, url in
            var document = LineTestBed.line(1, destination: "stripe", quantity: "1250000.5")
            let writer = Self.writer(fake, url, mode: .meterEvents)
            #expect(await writer.deliver([document])[document.key]?.deliveredID == document.idempotencyKey)
            let event = try #require(fake.meterEvents()[document.idempotencyKey])
            #expect(event.value == "1250000.5" && event.customer == "cus_1" && event.eventName == "api_calls")
            #expect(event.timestamp == LineTestBed.novemberEnd - 1)
            // After a re-key the identifier stays the same: Stripe's duplicate 400 counts as delivered.
            document.idempotencyKey += ":r1"
            #expect(await writer.deliver([document])[document.key]?.deliveredID == DeliveryKey.base(of: document.idempotencyKey))
            #expect(fake.meterEvents().count == 1)
        }
    }

    @Test func meterEventsRefuseNegativeOverlongAndStaleValuesClearly() async throws {
        try await Self.run { fake, url in
            let writer = Self.writer(fake, url, mode: .meterEvents)
            let negative = LineTestBed.line(1, destination: "stripe", quantity: "-5")
            let overlong = LineTestBed.line(2, destination: "stripe", quantity: "1234567890.1234567")
            var stale = LineTestBed.line(3, destination: "stripe", quantity: "7")
            stale.periodEnd = LineTestBed.novemberStart - 30 * 86_400   // early October: 62 days before the fake's today
            let outcomes = await writer.deliver([negative, overlong, stale])
            #expect(outcomes[negative.key]?.failureReason?.contains("cannot be negative") == true)
            #expect(outcomes[overlong.key]?.failureReason?.contains("15 significant digits") == true)
            #expect(outcomes[stale.key] == .failed(reason: "Stripe answered 400 invalid_request_error (param timestamp): "
                + "Timestamp must be within the past 35 days and not more than 5 minutes in the future."))
            #expect(fake.requestCount("POST /v1/billing/meter_events") == 1)
        }
    }

    @Test func aBadKeyFailsWithWhatToFix() async throws {
        try await Self.run { fake, url in
            let writer = StripeWriter(destination: StripeDestination(url: url, apiKey: "sk_test_wrong"),
                                      pacer: LineTestBed.openGate(), logger: LineTestBed.quietLogger)
            let document = LineTestBed.line(0, destination: "stripe")
            #expect(await writer.deliver([document])[document.key]?.failureReason?.hasSuffix("check the destination's apiKey") == true)
        }
    }
}

/// The breaker and bucket in the shell: a real gate in front of a Stripe that is down.
@Suite struct DeliveryGateTests {
    @Test func aDestinationThatIsDownOpensTheBreakerAndNoCallIsMadeUntilHalfOpen() async throws {
        try await StripeWriterTests.run(customers: 30) { fake, url in
            fake.injectRandomFaults(RandomFaults(serverErrorPercent: 100))
            let clock = ManualClock()
            let gate = DeliveryGate(pacing: DestinationPacing(
                bucket: TokenBucket(ratePerSecond: 1_000, now: clock.now),
                breaker: CircuitBreaker(failureThreshold: 3, openDuration: .seconds(30))), clock: clock)
            let writer = StripeWriterTests.writer(fake, url, pacer: gate)
            let documents = (0..<20).map { LineTestBed.line($0, destination: "stripe") }

            let first = await writer.deliver(documents)
            #expect(first.values.allSatisfy { $0.isRetry })
            let afterOpening = fake.requestCount("POST /v1/invoiceitems")
            // Up to `concurrency` calls were in flight when the third failure opened it; none after.
            #expect(afterOpening >= 3 && afterOpening < 20)
            #expect(await gate.claimableIn() == .seconds(30))
            // Two seconds before half-open (more than the gate waits inline): nothing is sent.
            clock.advance(by: .seconds(28))
            #expect(await writer.deliver(documents).values.allSatisfy { $0.isRetry })
            #expect(fake.requestCount("POST /v1/invoiceitems") == afterOpening, "open: nothing is sent")

            // Half-open: one probe, which fails, and it opens again.
            clock.advance(by: .seconds(2))
            _ = await writer.deliver(documents)
            #expect(fake.requestCount("POST /v1/invoiceitems") == afterOpening + 1)
            #expect(await gate.claimableIn() != nil)

            // The destination recovers: the next probe closes the breaker and every line goes.
            fake.injectRandomFaults(nil)
            clock.advance(by: .seconds(31))
            let recovered = await writer.deliver(documents)
            #expect(recovered.values.allSatisfy { $0.deliveredID != nil })
            #expect(fake.items().count == 20)
            #expect(await gate.state.breaker.state == .closed(consecutiveFailures: 0))
        }
    }

    @Test func theGateNeverLetsMoreCallsThroughThanItsRate() async throws {
        try await StripeWriterTests.run(customers: 60) { fake, url in
            let gate = DeliveryGate(ratePerSecond: 40)      // burst 4
            let writer = StripeWriterTests.writer(fake, url, pacer: gate)
            let started = ContinuousClock.now
            let outcomes = await writer.deliver((0..<60).map { LineTestBed.line($0, destination: "stripe") })
            let elapsed = started.duration(to: .now)
            #expect(outcomes.values.allSatisfy { $0.deliveredID != nil })
            // 60 calls at 40/s with a burst of 4 take at least (60 − 4) / 40 = 1.4 s.
            #expect(elapsed >= .milliseconds(1_400))
        }
    }
}
