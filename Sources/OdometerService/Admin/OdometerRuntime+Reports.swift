public import MeteringCore
public import PostgresNIO
public import PostgresStore

/// The operations behind `usage`, `close` and `deliveries`, each a function of a Postgres
/// client: the CLI calls them inside `withPostgres`, the HTTP routes with `serve`'s client, so
/// the two cannot drift.
extension OdometerRuntime {
    /// `usage`: rated totals, optionally of one account and one period.
    public func usage(postgres: PostgresClient, account: String?, period: BillingPeriod?) async throws -> [RatedUsage] {
        let pricer = pricer(accounts: try await accounts(postgres: postgres))
        return try await UsageReport.rows(postgres: postgres, pricer: pricer, account: account,
                                          period: period?.description, logger: logger)
    }

    /// `close`: writes the period's invoice lines and outbox entries (or, with `dryRun`, only
    /// plans them); refuses while the period is not ready unless `force`.
    public func close(postgres: PostgresClient, period: BillingPeriod, account: String?, dryRun: Bool,
                      force: Bool) async throws -> CloseSummary {
        let closer = PeriodCloser(
            postgres: postgres, pricer: pricer(accounts: try await accounts(postgres: postgres)),
            destinations: destinationGranularities, watermark: closeReadinessSource, lineLimits: destinationLineLimits,
            logger: logger)
        if dryRun {
            let plan = try await closer.plan(period: period, account: account)
            if !force { try await closer.checkReadiness(period: period, plan: plan) }
            return CloseSummary(plan: plan, outcome: nil)
        }
        let (plan, outcome) = try await closer.close(period: period, account: account, force: force)
        return CloseSummary(plan: plan, outcome: outcome)
    }

    /// `deliveries`: outbox entries, optionally of one status.
    public func deliveries(postgres: PostgresClient, status: OutboxStatus?) async throws -> DeliveryListing {
        DeliveryListing(entries: try await OutboxStore(client: postgres, logger: logger).deliveries(status: status))
    }

    /// `deliveries retry`: failed entries of `destination` (or one document) back to pending;
    /// returns how many.
    public func retryDeliveries(postgres: PostgresClient, destination: String, document: String?) async throws -> Int {
        try await OutboxStore(client: postgres, logger: logger).retryFailed(destination: destination, documentKey: document)
    }

    /// `deliveries retry --id`: one failed entry back to pending; says which, or that there is none.
    public func retryDelivery(postgres: PostgresClient, id: Int64) async throws -> String {
        guard let entry = try await OutboxStore(client: postgres, logger: logger).retryFailed(id: id) else {
            throw OdometerFailure.user("no failed delivery has id \(id): `odometer deliveries --status failed` lists them")
        }
        return "delivery \(id) (\(entry.destination) \(entry.documentKey)) is pending again"
    }
}
