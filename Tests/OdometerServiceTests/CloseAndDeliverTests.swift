import BillingFakes
import BillingWriters
import Foundation
import MeteringCore
import OdometerService
import OdometerDemo
import PostgresStore
import Testing

/// Period close writes invoice lines and outbox rows once; the relay delivers every invoice to
/// the Odoo fake exactly once, and running either again creates nothing new.
@Suite(.serialized) struct CloseAndDeliverTests {
    @Test func everyInvoiceArrivesOnceAndASecondCloseAndRelayCreateNothing() async throws {
        try await PipelineEnvironment.with(accounts: 300) { environment in
            try await environment.produce(30_000)
            let pipeline = try environment.pipeline()
            try await environment.meterUntilCaughtUp(pipeline)

            let closer = PeriodCloser(postgres: environment.postgres, pricer: environment.pricer,
                                      destinations: ["odoo": .invoice], logger: environment.logger)
            let (plan, first) = try await closer.close(period: environment.period, account: nil, force: true)
            let lineCount = plan.invoices.reduce(0) { $0 + $1.lines.count }
            #expect(plan.closingAccounts.count == 300)
            #expect(first.linesInserted == lineCount)
            #expect(first.outboxInserted == plan.invoices.count)

            let odoo = OdooFake()
            odoo.seedDemo(partnerRefs: environment.accounts.compactMap(\.odooPartnerRef),
                          meters: DemoCatalog.meters.map(\.slug))
            let url = try await odoo.start()
            let writer = OdooWriter(destination: OdooDestination(
                url: url, database: odoo.database, login: odoo.login, apiKey: odoo.validApiKey), logger: environment.logger)
            let relay = OutboxRelay(
                destination: DeliveryDestination(name: "odoo", granularity: .invoice, writer: writer),
                postgres: environment.postgres,
                accounts: Dictionary(uniqueKeysWithValues: environment.accounts.map { ($0.id, $0) }),
                logger: environment.logger)
            let delivered = try await relay.drain()
            #expect(delivered == RelayReport(delivered: plan.invoices.count, failed: 0, retrying: 0))

            // Each invoice once, with Odoo's total equal to the rated total to the minor unit.
            let invoices = odoo.invoices()
            #expect(invoices.count == plan.invoices.count)
            #expect(odoo.duplicateRefs().isEmpty)
            let expected = Dictionary(uniqueKeysWithValues: plan.invoices.map {
                ($0.documentKey, $0.total.formatted(fractionDigits: $0.currency.minorUnits)) })
            for invoice in invoices {
                let ref = try #require(invoice.ref)
                #expect(invoice.amountTotal == expected[ref], "\(ref)")
                #expect(invoice.lines.count == plan.invoices.first { $0.documentKey == ref }?.lines.count)
            }

            // A second close and a second relay pass change nothing.
            let (_, second) = try await closer.close(period: environment.period, account: nil, force: true)
            #expect(second.changedNothing)
            #expect(try await relay.drain() == RelayReport())
            #expect(odoo.invoices().count == plan.invoices.count)
            let deliveries = try await OutboxStore(client: environment.postgres, logger: environment.logger)
                .deliveries(status: .delivered)
            #expect(deliveries.count == plan.invoices.count)
            #expect(deliveries.allSatisfy { $0.remoteId != nil })
            await odoo.stop()
        }
    }
}
