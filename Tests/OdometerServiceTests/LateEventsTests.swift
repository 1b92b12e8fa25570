import BillingFakes
import Foundation
import MeteringCore
import OdometerService
import PostgresStore
import Testing

/// DESIGN §6: events of a closed period are not lost. The next close bills each changed row as
/// an adjustment, price(new total) − price(billed total); delivered lines never change; and per
/// account the lines delivered add up to the rating of every event. Expected amounts come from
/// the recount and the rating oracle.
@Suite(.serialized) struct LateEventsTests {
    @Test func lateEventsAreBilledAsAdjustmentsAndWhatWasDeliveredNeverChanges() async throws {
        let accounts = (0..<4).map(ScriptedUsage.account)
        try await PipelineEnvironment.with(partitions: 4, accounts: 4, meters: ScriptedUsage.meters) { environment in
            let october = environment.period
            let november = october.next
            var usage = ScriptedUsage()
            let brokers = environment.kafka.bootstrapServers
            // October as first metered: account 0 below the 10,000-token free tier, account 1's storage
            // below its 5.00 minimum, account 2 steady, account 3 with no storage yet.
            let octoberEvents: [ScriptedUsage.Event] = [
                .request(account: 0, tokens: 6_000, day: 5), .request(account: 0, tokens: 2_000, day: 9),
                .storage(account: 1, gigabytes: 100, day: 7), .request(account: 1, tokens: 50, day: 7),
                .request(account: 2, tokens: 20_000, day: 11), .storage(account: 2, gigabytes: 3_000, day: 12),
                .request(account: 3, tokens: 10, day: 2),
            ]
            try usage.produce(octoberEvents, period: october, brokers: brokers, topic: environment.topic)
            try await environment.meterUntilCaughtUp(try environment.pipeline())

            let pricer = UsagePricer(meters: ScriptedUsage.meters, plans: [ScriptedUsage.plan], accounts: accounts)
            let closer = PeriodCloser(postgres: environment.postgres, pricer: pricer,
                                      destinations: ["stripe": .line, "lago": .line, "odoo": .invoice],
                                      logger: environment.logger)
            _ = try await closer.close(period: october, account: nil, force: true)
            let fakes = try await DestinationFakes.start(accounts: accounts, meters: ScriptedUsage.meters.map(\.slug))
            do {
                _ = try await DestinationFakes.deliverAll(fakes.relays(postgres: environment.postgres, accounts: accounts,
                                                                      logger: environment.logger))
                let deliveredBefore = try await OutboxStore(client: environment.postgres, logger: environment.logger)
                    .deliveries(status: .delivered)
                let itemsBefore = fakes.stripe.items()
                let octoberQuantities = ScriptedUsage.quantities(usage.events)

                // Late October events: account 0 crosses the tier, account 1 lifts storage above its
                // minimum, account 3 gets a storage row only after close. Plus November usage.
                try usage.produce([.request(account: 0, tokens: 5_000, day: 30), .storage(account: 1, gigabytes: 400, day: 29),
                                   .storage(account: 3, gigabytes: 20, day: 31)],
                                  period: october, brokers: brokers, topic: environment.topic)
                let novemberEvents: [ScriptedUsage.Event] = (0..<4).map { .request(account: $0, tokens: 100, day: 3) }
                var novemberOnly = ScriptedUsage()
                try novemberOnly.produce(novemberEvents, period: november, brokers: brokers, topic: environment.topic)
                try await environment.meterUntilCaughtUp(try environment.pipeline())
                let octoberNow = ScriptedUsage.quantities(usage.events)

                // `close --dry-run` shows the adjustments and writes nothing.
                let dryRun = try await closer.plan(period: november, account: nil)
                let summary = CloseSummary(plan: dryRun, outcome: nil).text
                // Account 0's late request also adds a call: four rows changed.
                #expect(summary.contains("4 adjustment lines for earlier closed periods"))
                #expect(summary.contains("adjustment for 2026-10: api_tokens 2026-10: +5000 units (now 13000)"))

                let (plan, _) = try await closer.close(period: november, account: nil, force: true)
                let adjustments = plan.invoices.flatMap(\.adjustments)
                #expect(adjustments.count == 4)
                for line in adjustments {
                    let before = octoberQuantities[line.account]?[line.meter]
                    let after = try #require(octoberNow[line.account]?[line.meter])
                    let expected = ScriptedUsage.cents(meter: line.meter, quantity: after)
                        - (before.map { ScriptedUsage.cents(meter: line.meter, quantity: $0) } ?? 0)
                    #expect(Int64(line.amount.text.replacingOccurrences(of: ".", with: "")) == expected, "\(line.description)")
                    #expect(line.version == (before == nil ? 1 : 2) && line.period == "2026-10" && line.billedPeriod == "2026-11")
                }
                // The tier and the minimum make price(new) − price(old) differ from price(delta).
                let tokens = try #require(adjustments.first { $0.account == accounts[0].id && $0.meter == "api_tokens" })
                #expect(tokens.amount.text == "4.50" && ScriptedUsage.cents(meter: "api_tokens", quantity: 5_000) == 0)
                let storage = try #require(adjustments.first { $0.account == accounts[1].id })
                #expect(storage.amount.text == "3.00" && ScriptedUsage.cents(meter: "storage_gb", quantity: 300) == 600)
                #expect(!adjustments.contains { $0.account == accounts[2].id })

                _ = try await DestinationFakes.deliverAll(fakes.relays(postgres: environment.postgres, accounts: accounts,
                                                                      logger: environment.logger))
                // What was delivered before is untouched: same rows, same remote ids, same Stripe items.
                let deliveredAfter = try await OutboxStore(client: environment.postgres, logger: environment.logger)
                    .deliveries(status: .delivered)
                for entry in deliveredBefore {
                    let now = try #require(deliveredAfter.first { $0.destination == entry.destination && $0.documentKey == entry.documentKey })
                    #expect(now.remoteId == entry.remoteId && now.lineKeys == entry.lineKeys)
                }
                let itemsAfter = Dictionary(uniqueKeysWithValues: fakes.stripe.items().map { ($0.id, $0) })
                for item in itemsBefore { #expect(itemsAfter[item.id] == item) }
                #expect(fakes.stripe.duplicateLineKeys().isEmpty && fakes.odoo.duplicateRefs().isEmpty)

                // Per account, everything delivered adds up to the rating of all its events.
                let novemberQuantities = ScriptedUsage.quantities(novemberOnly.events)
                for account in accounts {
                    var expected: Int64 = 0
                    for (meter, quantity) in octoberNow[account.id] ?? [:] { expected += ScriptedUsage.cents(meter: meter, quantity: quantity) }
                    for (meter, quantity) in novemberQuantities[account.id] ?? [:] { expected += ScriptedUsage.cents(meter: meter, quantity: quantity) }
                    let stripe = fakes.stripe.items().filter { $0.metadata["account"] == account.id }.reduce(0) { $0 + $1.amount }
                    #expect(stripe == expected, "Stripe, \(account.id)")
                    let lago = fakes.lago.events().filter { $0.subscription == account.lagoSubscription }
                        .reduce(Int64(0)) { $0 + Int64($1.preciseTotalAmountCents ?? "0")! }
                    #expect(lago == expected, "Lago, \(account.id)")
                    let odoo = fakes.odoo.invoices().filter { $0.partnerRef == account.odooPartnerRef }
                        .reduce(Int64(0)) { $0 + Int64($1.amountTotal.replacingOccurrences(of: ".", with: ""))! }
                    #expect(odoo == expected, "Odoo, \(account.id)")
                }

                // A later close with no late events adjusts nothing.
                let december = try await closer.plan(period: november.next, account: nil)
                #expect(december.invoices.flatMap(\.adjustments).isEmpty)
            } catch {
                await fakes.stop()
                throw error
            }
            await fakes.stop()
        }
    }
}
