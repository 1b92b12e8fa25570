public import MeteringCore
import MeteringWorkload

/// The demo's configuration: the workload's five meters, two plans and the generated accounts.
/// Nine in ten accounts are on `pro` (USD), the rest on `enterprise` (EUR, with a platform fee
/// and a minimum), so the invoice lines show every pricing model.
public enum DemoCatalog {
    public static var meters: [Meter] { UsageWorkload.meters }

    public static let plans: [Plan] = [
        Plan(key: "pro", currency: Currency(code: "USD")!, charges: [
            Charge(meter: "api_calls", model: .unit(unitPrice: decimal("0.001"))),
            Charge(meter: "api_tokens", model: .graduated(tiers: [
                PriceTier(upTo: decimal("100000"), unitPrice: .zero),
                PriceTier(upTo: nil, unitPrice: decimal("0.000002")),
            ])),
            Charge(meter: "compute_seconds", model: .unit(unitPrice: decimal("0.00005")), includedQuantity: decimal("3600")),
            Charge(meter: "storage_gb", model: .volume(tiers: [
                PriceTier(upTo: decimal("1000"), unitPrice: decimal("0.02")),
                PriceTier(upTo: decimal("4000"), unitPrice: decimal("0.015")),
                PriceTier(upTo: nil, unitPrice: decimal("0.01")),
            ])),
            Charge(meter: "active_users", model: .package(packageSize: decimal("10"), packagePrice: decimal("5"))),
        ]),
        Plan(key: "enterprise", currency: Currency(code: "EUR")!, charges: [
            Charge(meter: "api_calls", model: .flat(amount: decimal("250")), minimum: nil),
            Charge(meter: "api_tokens", model: .graduated(tiers: [
                PriceTier(upTo: decimal("1000000"), unitPrice: decimal("0.0000015"), flatFee: decimal("10")),
                PriceTier(upTo: nil, unitPrice: decimal("0.000001")),
            ]), minimum: decimal("20")),
            Charge(meter: "compute_seconds", model: .unit(unitPrice: decimal("0.00004"))),
            Charge(meter: "storage_gb", model: .unit(unitPrice: decimal("0.012"))),
        ]),
    ]

    /// `count` accounts; every tenth is enterprise, with a Berlin time zone. Account N is Stripe
    /// customer `cus_N` and Lago subscription `sub_N`.
    public static func accounts(_ count: Int) -> [Account] {
        (0..<count).map { index in
            let id = UsageWorkload.accountID(index)
            let enterprise = index % 10 == 9
            return Account(id: id, plan: enterprise ? "enterprise" : "pro",
                           timeZone: enterprise ? "Europe/Berlin" : "UTC", odooPartnerRef: id,
                           stripeCustomer: "cus_\(index)", lagoSubscription: "sub_\(index)")
        }
    }

    private static func decimal(_ text: String) -> ExactDecimal { ExactDecimal(text)! }
}
