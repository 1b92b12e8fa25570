import BillingFakes
import Foundation
import MeteringCore
import MeteringWorkload
import OdometerService
import PostgresNIO
import PostgresStore
import Testing

/// DESIGN §7 under fire: 2,000 accounts × 3 meters closed and delivered to Stripe, Lago and
/// Odoo at once, each answering 20% 5xx, 10% 429 and 5% "applied, answer lost" at random,
/// plus one permanent validation error at each, one stored Stripe 500 and one Odoo
/// serialization failure; the relays are killed mid-batch twice and restarted. Expected
/// amounts come from the recount and the rating oracle, never from the close plan.
@Suite(.serialized) struct FaultStormTests {
    @Test func everyValidLineArrivesExactlyOnceAtEveryDestinationAndTheAmountsAddUp() async throws {
        let accountCount = Int(ProcessInfo.processInfo.environment["STORM_ACCOUNTS"] ?? "") ?? 2_000
        // The account whose Stripe customer was deleted: a permanent validation error at Stripe.
        let deleted = ScriptedUsage.account(7)
        let accounts = (0..<accountCount).map { index in
            index == 7
                ? Account(id: deleted.id, plan: deleted.plan, odooPartnerRef: deleted.odooPartnerRef,
                          stripeCustomer: "cus_deleted", lagoSubscription: deleted.lagoSubscription)
                : ScriptedUsage.account(index)
        }
        try await PipelineEnvironment.with(partitions: 8, accounts: accountCount, meters: ScriptedUsage.meters) { environment in
            var usage = ScriptedUsage()
            var random = SplitMix64(seed: 11)
            var events: [ScriptedUsage.Event] = []
            for index in 0..<accountCount {
                events.append(.request(account: index, tokens: Int.random(in: 1...9_000, using: &random), day: 3))
                events.append(.request(account: index, tokens: Int.random(in: 1...9_000, using: &random), day: 17))
                events.append(.storage(account: index, gigabytes: Int.random(in: 1...2_000, using: &random), day: 20))
            }
            try usage.produce(events, period: environment.period, brokers: environment.kafka.bootstrapServers,
                              topic: environment.topic)
            try await environment.meterUntilCaughtUp(try environment.pipeline())

            let pricer = UsagePricer(meters: ScriptedUsage.meters, plans: [ScriptedUsage.plan], accounts: accounts)
            let closer = PeriodCloser(postgres: environment.postgres, pricer: pricer,
                                      destinations: ["stripe": .line, "lago": .line, "odoo": .invoice],
                                      logger: environment.logger)
            let (plan, written) = try await closer.close(period: environment.period, account: nil, force: true)
            #expect(plan.invoices.count == accountCount)
            #expect(written.linesInserted == 3 * accountCount && written.outboxInserted == 7 * accountCount)

            // The independent expectation: every line and its amount in cents.
            let recount = ScriptedUsage.quantities(usage.events)
            var expected: [String: (account: String, meter: String, cents: Int64)] = [:]
            for (account, meters) in recount {
                for (meter, quantity) in meters {
                    let key = InvoiceLine.key(account: account, meter: meter, period: "2026-10", dimensions: "{}", version: 1)
                    expected[key] = (account, meter, ScriptedUsage.cents(meter: meter, quantity: quantity))
                }
            }
            #expect(expected.count == 3 * accountCount)

            // The fakes know every customer as created; cus_deleted is not one of them.
            let fakes = try await DestinationFakes.start(accounts: (0..<accountCount).map(ScriptedUsage.account),
                                                         meters: ScriptedUsage.meters.map(\.slug))
            do {
                let storm = { (seed: UInt64) in
                    RandomFaults(serverErrorPercent: 20, rateLimitPercent: 10, appliedAnswerLostPercent: 5, seed: seed)
                }
                fakes.stripe.injectRandomFaults(storm(2026))
                fakes.lago.injectRandomFaults(storm(2027))
                fakes.odoo.injectRandomFaults(storm(2028))
                fakes.lago.setRateLimitReset(seconds: 0)
                let storedFailureLine = InvoiceLine.key(account: accounts[11].id, meter: "api_calls", period: "2026-10",
                                                        dimensions: "{}", version: 1)
                fakes.stripe.failWithStoredServerError(lineKey: storedFailureLine)
                let refusedLagoLine = InvoiceLine.key(account: accounts[13].id, meter: "storage_gb", period: "2026-10",
                                                      dimensions: "{}", version: 1)
                fakes.lago.refuseEvent(transactionID: DeliveryKey.derive(destination: "lago", documentKey: refusedLagoLine),
                                       errors: ["properties": ["value_is_invalid"]])
                let lockedInvoice = "usage:\(accounts[17].id):2026-10"
                let lockMessage = "The invoice date 2026-10-31 is in a locked period (lock date 2026-11-01)."
                fakes.odoo.rejectInvoice(ref: lockedInvoice, message: lockMessage)
                fakes.odoo.failWithSerializationError(model: "account.move", method: "create", times: 1)

                let trace = Task {
                    while !Task.isCancelled, ProcessInfo.processInfo.environment["STORM_TRACE"] != nil {
                        var line = "storm:"
                        for try await (destination, status, count) in try await environment.postgres.query(
                            "SELECT destination, status, count(*) FROM outbox GROUP BY 1, 2 ORDER BY 1, 2")
                            .decode((String, String, Int64).self) { line += " \(destination)/\(status)=\(count)" }
                        FileHandle.standardError.write(Data((line + "\n").utf8))
                        try await Task.sleep(for: .seconds(2))
                    }
                }
                defer { trace.cancel() }
                // Kill the relays mid-batch twice, each time once a fifth more of the documents has
                // been delivered since they started, and restart them.
                var deliveredBeforeKill: [Int] = []
                for _ in 1...2 {
                    let relays = fakes.relays(postgres: environment.postgres, accounts: accounts, logger: environment.logger)
                    let startedAt = try await Self.delivered(environment.postgres)
                    let postgres = environment.postgres
                    // The relays' own error, if they fail before the mark, fails the test here.
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask { _ = try await DestinationFakes.deliverAll(relays) }
                        group.addTask {
                            while try await Self.delivered(postgres) < startedAt + 7 * accountCount / 5 {
                                try await Task.sleep(for: .milliseconds(50))
                            }
                        }
                        try await group.next()
                        group.cancelAll()   // the kill; what the relays throw as they stop is discarded
                    }
                    deliveredBeforeKill.append(try await Self.delivered(environment.postgres))
                }
                #expect(deliveredBeforeKill.allSatisfy { $0 < 7 * accountCount - 5 }, "the kills must land mid-delivery")
                _ = try await DestinationFakes.deliverAll(
                    fakes.relays(postgres: environment.postgres, accounts: accounts, logger: environment.logger))

                // The storm really blew at every destination.
                for drawn in [fakes.stripe.faultsDrawn(), fakes.lago.faultsDrawn(), fakes.odoo.faultsDrawn()] {
                    #expect(RandomFault.allCases.allSatisfy { (drawn[$0] ?? 0) > 0 }, "\(drawn)")
                }

                // Outbox: everything delivered but the three permanent failures, each with the remote text verbatim.
                let outbox = OutboxStore(client: environment.postgres, logger: environment.logger)
                let failed = try await outbox.deliveries(status: .failed)
                let deletedLines = Set(expected.filter { $0.value.account == deleted.id }.keys)
                #expect(Set(failed.filter { $0.destination == "stripe" }.map(\.documentKey)) == deletedLines)
                #expect(failed.filter { $0.destination == "stripe" }.allSatisfy {
                    $0.lastError?.contains("No such customer: 'cus_deleted'") == true })
                #expect(failed.filter { $0.destination == "lago" }.map(\.documentKey) == [refusedLagoLine])
                #expect(failed.first { $0.destination == "lago" }?.lastError?.contains(#"{"properties":["value_is_invalid"]}"#) == true)
                #expect(failed.filter { $0.destination == "odoo" }.map(\.documentKey) == [lockedInvoice],
                        "\(failed.filter { $0.destination == "odoo" }.map { "\($0.documentKey): \($0.lastError ?? "")" })")
                #expect(failed.first { $0.destination == "odoo" }?.lastError?.contains(lockMessage) == true,
                        "odoo's failure: \(failed.first { $0.destination == "odoo" }?.lastError ?? "none")")
                #expect(try await outbox.deliveries(status: .pending).isEmpty)
                #expect(try await Self.delivered(environment.postgres) == 7 * accountCount - failed.count)

                // Stripe: each valid line exactly once, in exact cents; the stored-500 line under `:r1`.
                let items = fakes.stripe.items()
                #expect(fakes.stripe.duplicateLineKeys().isEmpty)
                let stripeExpected = expected.filter { !deletedLines.contains($0.key) }
                let billedKeys = Set(items.compactMap { $0.metadata["line_key"] })
                #expect(billedKeys.subtracting(stripeExpected.keys).count == 0 && stripeExpected.keys.count == billedKeys.count)
                #expect(items.filter { $0.amount != stripeExpected[$0.metadata["line_key"] ?? ""]?.cents }.count == 0)
                #expect(items.reduce(0) { $0 + $1.amount } == stripeExpected.values.reduce(0) { $0 + $1.cents })
                let rekeyed = try await outbox.deliveries(status: .delivered)
                    .first { $0.destination == "stripe" && $0.documentKey == storedFailureLine }
                #expect(rekeyed?.idempotencyKey?.hasSuffix(":r1") == true)

                // Lago: each valid line exactly once, under its Lago key, in exact cents.
                let lagoEvents = fakes.lago.events()
                let lagoExpected = expected.filter { $0.key != refusedLagoLine }
                let keyOfTransaction = Dictionary(uniqueKeysWithValues: lagoExpected.keys.map {
                    (DeliveryKey.derive(destination: "lago", documentKey: $0), $0) })
                #expect(lagoEvents.count == lagoExpected.count)
                #expect(Set(lagoEvents.map(\.transactionID)).subtracting(keyOfTransaction.keys).count == 0)
                #expect(lagoEvents.filter {
                    $0.preciseTotalAmountCents != keyOfTransaction[$0.transactionID].flatMap { lagoExpected[$0] }.map { String($0.cents) }
                }.count == 0)

                // Odoo: each valid invoice exactly once, its total the account's rated total.
                let invoices = fakes.odoo.invoices()
                #expect(fakes.odoo.duplicateRefs().isEmpty)
                #expect(invoices.count == accountCount - 1)
                var accountCents: [String: Int64] = [:]
                for line in expected.values { accountCents[line.account, default: 0] += line.cents }
                let wrongTotals = invoices.filter { invoice in
                    let account = String((invoice.ref ?? "").dropFirst("usage:".count).dropLast(":2026-10".count))
                    return Int64(invoice.amountTotal.replacingOccurrences(of: ".", with: "")) != accountCents[account]
                }
                #expect(wrongTotals.map(\.ref).isEmpty)
                #expect(!invoices.contains { $0.ref == lockedInvoice })
            } catch {
                await fakes.stop()
                throw error
            }
            await fakes.stop()
        }
    }

    static func delivered(_ postgres: PostgresClient) async throws -> Int {
        var count = 0
        for try await value in try await postgres.query("SELECT count(*) FROM outbox WHERE status = 'delivered'")
            .decode(Int64.self) { count = Int(value) }
        return count
    }
}
