public import Logging
public import PostgresNIO

/// One imported account, as stored. Plain values; the configuration validates them first.
public struct AccountRecord: Sendable, Hashable {
    public var id: String
    public var plan: String
    public var timeZone: String
    public var odooPartnerRef: String?
    public var stripeCustomer: String?
    public var lagoSubscription: String?

    public init(id: String, plan: String, timeZone: String, odooPartnerRef: String?, stripeCustomer: String?,
                lagoSubscription: String?) {
        self.id = id
        self.plan = plan
        self.timeZone = timeZone
        self.odooPartnerRef = odooPartnerRef
        self.stripeCustomer = stripeCustomer
        self.lagoSubscription = lagoSubscription
    }
}

/// Accounts loaded with `odometer accounts import`: all rows in one transaction, so an import
/// lands whole or not at all. Stateless apart from the client; thread-safe.
public struct AccountStore: Sendable {
    private let client: PostgresClient
    private let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Inserts or replaces every account; returns how many were new.
    @discardableResult
    public func importAccounts(_ accounts: [AccountRecord]) async throws -> Int {
        try await client.inTransaction("import \(accounts.count) accounts", logger: logger) { connection in
            var inserted = 0
            for account in accounts {
                let rows = try await connection.checkedQuery("""
                    INSERT INTO accounts (id, plan, timezone, odoo_partner_ref, stripe_customer, lago_subscription)
                    VALUES (\(account.id), \(account.plan), \(account.timeZone), \(account.odooPartnerRef),
                            \(account.stripeCustomer), \(account.lagoSubscription))
                    ON CONFLICT (id) DO UPDATE SET plan = excluded.plan, timezone = excluded.timezone,
                      odoo_partner_ref = excluded.odoo_partner_ref, stripe_customer = excluded.stripe_customer,
                      lago_subscription = excluded.lago_subscription, imported_at = now()
                    RETURNING (xmax = 0)
                    """, logger: logger)
                for try await isNew in rows.decode(Bool.self) where isNew { inserted += 1 }
            }
            return inserted
        }
    }

    public func all() async throws -> [AccountRecord] {
        try await client.withStoreConnection("read imported accounts") { connection in
            let rows = try await connection.checkedQuery("""
                SELECT id, plan, timezone, odoo_partner_ref, stripe_customer, lago_subscription FROM accounts ORDER BY id
                """, logger: logger)
            var accounts: [AccountRecord] = []
            for try await (id, plan, zone, odoo, stripe, lago) in rows.decode((String, String, String, String?, String?, String?).self) {
                accounts.append(AccountRecord(id: id, plan: plan, timeZone: zone, odooPartnerRef: odoo,
                                              stripeCustomer: stripe, lagoSubscription: lago))
            }
            return accounts
        }
    }
}
