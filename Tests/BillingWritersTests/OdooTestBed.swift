import BillingFakes
import Logging
@testable import BillingWriters
import MeteringCore

/// A started Odoo fake, seeded with the customers and products the tests bill, and the means to
/// point writers at it. Every test gets its own fake on its own port.
struct OdooTestBed {
    let fake: OdooFake
    let url: String

    static let meters = ["api_tokens", "storage_gb", "seats"]

    /// Runs `body` against a fresh fake seeded with partners `ACME`, `GLOBEX`, `ref-0`…`ref-9`
    /// and one product per meter carrying a 10 % default sales tax, then stops the fake.
    static func run(_ body: (OdooTestBed) async throws -> Void) async throws {
        let fake = OdooFake()
        for ref in ["ACME", "GLOBEX"] + (0..<10).map({ "ref-\($0)" }) { fake.addPartner(ref: ref) }
        for meter in meters { fake.addProduct(defaultCode: meter, defaultTaxPercent: "10") }
        let url = try await fake.start()
        do {
            try await body(OdooTestBed(fake: fake, url: url))
        } catch {
            await fake.stop()
            throw error
        }
        await fake.stop()
    }

    func destination(protocol wire: OdooProtocol = .jsonrpc, apiKey: String? = nil, post: Bool = false,
                     createPartners: Bool = false, timeout: Duration = .seconds(10)) -> OdooDestination {
        OdooDestination(url: url, database: fake.database, login: fake.login, apiKey: apiKey ?? fake.validApiKey,
                        protocol: wire, post: post, createPartners: createPartners, timeout: timeout)
    }

    func writer(_ destination: OdooDestination? = nil) -> OdooWriter {
        var logger = Logger(label: "odometer.test.odoo")
        logger.logLevel = .critical
        return OdooWriter(destination: destination ?? self.destination(), logger: logger)
    }

    /// A raw JSON-RPC client, to set up states a writer would only reach by crashing.
    func rawClient() async throws -> JSONRPCClient {
        try await JSONRPCClient.login(destination(), transport: OdooHTTPTransport(client: .shared, timeout: .seconds(10)))
    }
}

/// An invoice for `account` in 2026-11 with one line per `(meter, amount)`.
func invoice(_ account: String, ref: String? = "ACME", currency: String = "USD", minorUnits: Int = 2,
             lines: [(meter: String, amount: String)]) -> InvoiceDocument {
    InvoiceDocument(
        key: "usage:\(account):2026-11", account: account, period: "2026-11", invoiceDate: "2026-11-30",
        currency: currency, currencyMinorUnits: minorUnits, odooPartnerRef: ref,
        lines: lines.enumerated().map { index, line in
            InvoiceDocumentLine(lineKey: "\(account)-\(index)", meter: line.meter,
                                description: "\(line.meter) 2026-11: 1250000 units, graduated",
                                quantity: "1250000", amount: line.amount)
        })
}

/// Ten invoices for accounts `acct-0`…`acct-9`, billed to `ref-0`…`ref-9`.
func tenInvoices() -> [InvoiceDocument] {
    (0..<10).map { index in
        invoice("acct-\(index)", ref: "ref-\(index)",
                lines: [("api_tokens", "\(index + 1).25"), ("storage_gb", "0.0\(index)")])
    }
}

extension DeliveryOutcome {
    var remoteID: Int? {
        if case .delivered(let id) = self { return Int(id) }
        return nil
    }

    var failureReason: String? {
        if case .failed(let reason) = self { return reason }
        return nil
    }
}
