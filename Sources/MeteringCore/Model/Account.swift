/// A billed account, keyed by the events' `subject` (its external id).
public struct Account: Hashable, Sendable {
    public let id: String
    public let plan: String
    /// IANA time zone of its billing periods; "UTC" by default.
    public let timeZone: String
    public let odooPartnerRef: String?
    public let stripeCustomer: String?
    public let lagoSubscription: String?

    public init(
        id: String, plan: String, timeZone: String = "UTC",
        odooPartnerRef: String? = nil, stripeCustomer: String? = nil, lagoSubscription: String? = nil
    ) {
        self.id = id
        self.plan = plan
        self.timeZone = timeZone
        self.odooPartnerRef = odooPartnerRef
        self.stripeCustomer = stripeCustomer
        self.lagoSubscription = lagoSubscription
    }
}
