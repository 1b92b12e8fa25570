public import Logging
public import PostgresNIO

/// Lease-based storage for the outbox relays (DESIGN §7).
///
/// `claim` hands each pending entry to at most one relay at a time: it locks candidates with
/// `FOR UPDATE SKIP LOCKED` and sets a lease. A relay that crashes mid-HTTP simply lets the lease expire, and
/// the entry is claimed again (the destination's idempotency key prevents double billing). Times are the
/// server's `now()`. Stateless apart from the client; thread-safe, and safe across processes.
public struct OutboxStore: Sendable {
    private let client: PostgresClient
    private let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Leases up to `limit` due entries of `destination`, oldest first, and counts the attempt.
    public func claim(destination: String, limit: Int, lease: Duration) async throws -> [OutboxEntry] {
        try await entries("claim outbox entries of \(destination)", """
            UPDATE outbox SET lease_until = now() + \(lease.wholeMilliseconds) * interval '1 millisecond',
                              attempts = attempts + 1, first_attempt_at = coalesce(first_attempt_at, now()),
                              updated_at = now()
            WHERE (destination, document_key) IN (
              SELECT destination, document_key FROM outbox
              WHERE destination = \(destination) AND status = 'pending' AND next_attempt_at <= now()
                AND (lease_until IS NULL OR lease_until < now())
              ORDER BY created_at, document_key
              LIMIT \(Int64(limit))
              FOR UPDATE SKIP LOCKED)
            RETURNING \(unescaped: OutboxRow.columns)
            """)
    }

    /// Extends the lease of documents this relay still holds (pending, leased), to `lease` from
    /// now: a batch that takes longer than its lease (a slow or faulty destination) keeps its
    /// documents, so no other worker delivers them at the same time. Returns how many it extended.
    ///
    /// It never waits for a row lock: a document whose row another statement holds is being
    /// settled right then and needs no renewal. Waiting could deadlock with that statement (the
    /// two meet their rows in different orders; Postgres then aborts one of them, and a relay
    /// whose settle was aborted fails its pass).
    @discardableResult
    public func renewLease(destination: String, documentKeys: [String], lease: Duration) async throws -> Int {
        guard !documentKeys.isEmpty else { return 0 }
        return try await client.withStoreConnection("renew the lease of \(documentKeys.count) entries of \(destination)") { connection in
            var renewed = 0
            for try await _ in try await connection.checkedQuery("""
                UPDATE outbox SET lease_until = now() + \(lease.wholeMilliseconds) * interval '1 millisecond'
                WHERE (destination, document_key) IN (
                  SELECT destination, document_key FROM outbox
                  WHERE destination = \(destination) AND document_key = ANY(\(documentKeys)::text[])
                    AND status = 'pending' AND lease_until IS NOT NULL
                  FOR UPDATE SKIP LOCKED)
                RETURNING 1
                """, logger: logger) { renewed += 1 }
            return renewed
        }
    }

    /// Lease in whole seconds, as in the design brief.
    public func claim(destination: String, limit: Int, leaseSeconds: Int) async throws -> [OutboxEntry] {
        try await claim(destination: destination, limit: limit, lease: .seconds(leaseSeconds))
    }

    /// The destination accepted the document; records its id and releases the lease.
    public func markDelivered(destination: String, documentKey: String, remoteId: String) async throws {
        try await update("mark \(documentKey) delivered to \(destination)", """
            UPDATE outbox SET status = 'delivered', remote_id = \(remoteId), last_error = NULL, lease_until = NULL,
                              updated_at = now()
            WHERE destination = \(destination) AND document_key = \(documentKey) RETURNING 1
            """)
    }

    /// Records the outcomes of one batch in one statement each: delivered (with remote ids),
    /// failed (errors verbatim) and rescheduled (each after its own delay). A relay settles a
    /// whole micro-batch this way instead of one round trip per document. A reschedule never
    /// touches a document that is already delivered or failed: when a lease ran out mid-batch,
    /// another worker may have settled the document for good meanwhile, and its final outcome
    /// (the remote's own words) must not be overwritten by this worker's transient error.
    public func settle(destination: String, delivered: [(documentKey: String, remoteId: String)],
                       failed: [(documentKey: String, error: String)],
                       rescheduled: [(documentKey: String, after: Duration, error: String)]) async throws {
        guard !delivered.isEmpty || !failed.isEmpty || !rescheduled.isEmpty else { return }
        try await client.withStoreConnection("settle a batch of \(destination)") { connection in
            if !delivered.isEmpty {
                try await connection.checkedQuery("""
                    UPDATE outbox o SET status = 'delivered', remote_id = d.remote_id, last_error = NULL, lease_until = NULL,
                                        updated_at = now()
                    FROM unnest(\(delivered.map(\.documentKey))::text[], \(delivered.map(\.remoteId))::text[])
                         AS d(document_key, remote_id)
                    WHERE o.destination = \(destination) AND o.document_key = d.document_key
                    """, logger: logger)
            }
            if !failed.isEmpty {
                try await connection.checkedQuery("""
                    UPDATE outbox o SET status = 'failed', last_error = f.error, lease_until = NULL, updated_at = now()
                    FROM unnest(\(failed.map(\.documentKey))::text[], \(failed.map(\.error))::text[]) AS f(document_key, error)
                    WHERE o.destination = \(destination) AND o.document_key = f.document_key
                    """, logger: logger)
            }
            if !rescheduled.isEmpty {
                try await connection.checkedQuery("""
                    UPDATE outbox o SET next_attempt_at = now() + r.delay_ms * interval '1 millisecond',
                                        last_error = r.error, lease_until = NULL, updated_at = now()
                    FROM unnest(\(rescheduled.map(\.documentKey))::text[], \(rescheduled.map(\.after.wholeMilliseconds))::bigint[],
                                \(rescheduled.map(\.error))::text[]) AS r(document_key, delay_ms, error)
                    WHERE o.destination = \(destination) AND o.document_key = r.document_key AND o.status = 'pending'
                    """, logger: logger)
            }
        }
    }

    /// The destination refused the document permanently; `error` is kept verbatim for `deliveries`.
    public func markFailed(destination: String, documentKey: String, error: String) async throws {
        try await update("mark \(documentKey) failed for \(destination)", """
            UPDATE outbox SET status = 'failed', last_error = \(error), lease_until = NULL, updated_at = now()
            WHERE destination = \(destination) AND document_key = \(documentKey) RETURNING 1
            """)
    }

    /// A transient failure: try again no earlier than `after` from now, and release the lease.
    public func reschedule(destination: String, documentKey: String, after: Duration, error: String) async throws {
        try await update("reschedule \(documentKey) for \(destination)", """
            UPDATE outbox SET next_attempt_at = now() + \(after.wholeMilliseconds) * interval '1 millisecond',
                              last_error = \(error), lease_until = NULL, updated_at = now()
            WHERE destination = \(destination) AND document_key = \(documentKey) RETURNING 1
            """)
    }

    /// Stripe's replayed 500 spent the entry's key: store the next one, due now. Stored before
    /// anything is sent under it, so a crash cannot lose the key in use.
    public func storeKey(destination: String, documentKey: String, key: String, error: String) async throws {
        try await update("store a new idempotency key for \(documentKey) at \(destination)", """
            UPDATE outbox SET idempotency_key = \(key), next_attempt_at = now(), last_error = \(error),
                              lease_until = NULL, updated_at = now()
            WHERE destination = \(destination) AND document_key = \(documentKey) AND status = 'pending' RETURNING 1
            """)
    }

    /// Puts the failed entry with this id back to pending, due now, attempts reset. Returns the
    /// entry, or nil when no failed entry has that id.
    public func retryFailed(id: Int64) async throws -> OutboxEntry? {
        try await entries("retry failed delivery \(id)", """
            UPDATE outbox SET status = 'pending', next_attempt_at = now(), lease_until = NULL, attempts = 0,
                              updated_at = now()
            WHERE id = \(id) AND status = 'failed'
            RETURNING \(unescaped: OutboxRow.columns)
            """).first
    }

    /// How long until a pending entry of `destination` can be claimed (zero when one can now),
    /// or nil when it has none: what `deliver --once` waits for.
    public func nextClaimable(destination: String) async throws -> Duration? {
        try await client.withStoreConnection("find the next due entry of \(destination)") { connection in
            let rows = try await connection.checkedQuery("""
                SELECT (extract(epoch FROM greatest(min(greatest(next_attempt_at, coalesce(lease_until, next_attempt_at))),
                                                    now()) - now()) * 1000)::bigint
                FROM outbox WHERE destination = \(destination) AND status = 'pending'
                HAVING count(*) > 0
                """, logger: logger)
            var wait: Duration?
            for try await milliseconds in rows.decode(Int64.self) { wait = .milliseconds(milliseconds) }
            return wait
        }
    }

    /// Puts failed entries of `destination` (or just `documentKey`) back to pending, due now, attempts reset to 0,
    /// after the cause was fixed. Returns how many entries it re-queued.
    @discardableResult
    public func retryFailed(destination: String, documentKey: String? = nil) async throws -> Int {
        try await client.withStoreConnection("retry failed deliveries to \(destination)") { connection in
            let rows = try await connection.checkedQuery("""
                WITH retried AS (
                  UPDATE outbox SET status = 'pending', next_attempt_at = now(), lease_until = NULL, attempts = 0,
                                    updated_at = now()
                  WHERE destination = \(destination) AND status = 'failed'
                    AND (\(documentKey)::text IS NULL OR document_key = \(documentKey))
                  RETURNING 1)
                SELECT count(*) FROM retried
                """, logger: logger)
            var count = 0
            for try await value in rows.decode(Int64.self) { count = Int(value) }
            return count
        }
    }

    /// Every entry, or those with `status`, by destination then age.
    public func deliveries(status: OutboxStatus? = nil) async throws -> [OutboxEntry] {
        try await entries("list deliveries", """
            SELECT \(unescaped: OutboxRow.columns) FROM outbox
            WHERE (\(status?.rawValue)::text IS NULL OR status = \(status?.rawValue))
            ORDER BY destination, created_at, document_key
            """)
    }

    /// The invoice lines with these keys, in the order of `keys`; unknown keys are left out.
    public func invoiceLines(keys: [String]) async throws -> [InvoiceLineRecord] {
        try await client.withStoreConnection("read invoice lines") { connection in
            let rows = try await connection.checkedQuery("""
                SELECT l.line_key, l.account, l.meter, l.period, l.dimensions, l.version, l.quantity::text,
                       l.amount::text, l.currency, l.description
                FROM unnest(\(keys)::text[]) WITH ORDINALITY AS k(line_key, position)
                JOIN invoice_lines l ON l.line_key = k.line_key
                ORDER BY k.position
                """, logger: logger)
            var lines: [InvoiceLineRecord] = []
            for try await (key, account, meter, period, dimensions, version, quantity, amount, currency, description)
                in rows.decode((String, String, String, String, String, Int32, String, String, String, String).self) {
                lines.append(InvoiceLineRecord(lineKey: key, account: account, meter: meter, period: period,
                                               dimensions: dimensions, version: version, quantity: quantity,
                                               amount: amount, currency: currency, description: description))
            }
            return lines
        }
    }

    private func entries(_ operation: String, _ query: PostgresQuery) async throws -> [OutboxEntry] {
        try await client.withStoreConnection(operation) { connection in
            var entries: [OutboxEntry] = []
            for try await row in try await connection.checkedQuery(query, logger: logger) {
                entries.append(try OutboxRow.decode(row))
            }
            return entries.sorted { ($0.destination, $0.createdAt, $0.documentKey) < ($1.destination, $1.createdAt, $1.documentKey) }
        }
    }

    /// Runs an UPDATE … RETURNING 1 on one entry and fails if the entry does not exist.
    private func update(_ operation: String, _ query: PostgresQuery) async throws {
        try await client.withStoreConnection(operation) { connection in
            var updated = 0
            for try await _ in try await connection.checkedQuery(query, logger: logger) { updated += 1 }
            guard updated == 1 else {
                throw PostgresStoreError.unexpectedResult(operation: operation, reason: "no such outbox entry")
            }
        }
    }
}
