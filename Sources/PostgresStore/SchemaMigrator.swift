public import Logging
public import PostgresNIO

/// Creates or upgrades Odometer's schema. Idempotent and safe to run from several processes at once.
///
/// Everything happens in one transaction that first takes a transaction-scoped advisory lock, so concurrent
/// migrators run one after another and the later ones find nothing to do. Applied versions are recorded in
/// `odometer_schema_migrations`. A database migrated by a newer Odometer is refused, never downgraded.
/// Stateless, thread-safe.
public enum SchemaMigrator {
    /// Every known version, in order: (version, summary, statements).
    static let migrations: [(version: Int, summary: String, statements: [String])] = [
        (SchemaV1.version, SchemaV1.summary, SchemaV1.statements),
        (SchemaV2.version, SchemaV2.summary, SchemaV2.statements),
        (SchemaV3.version, SchemaV3.summary, SchemaV3.statements),
        (SchemaV4.version, SchemaV4.summary, SchemaV4.statements),
        (SchemaV5.version, SchemaV5.summary, SchemaV5.statements),
        (SchemaV6.version, SchemaV6.summary, SchemaV6.statements),
    ]

    /// Every version this build knows, in the order it applies them.
    public static var knownVersions: [Int] { migrations.map(\.version) }

    /// The newest schema version this build knows.
    public static var latestVersion: Int { migrations.last?.version ?? 0 }

    /// Lock key for `pg_advisory_xact_lock`: the ASCII bytes of "odometer".
    static let advisoryLockKey: Int64 = 0x6F64_6F6D_6574_6572

    /// Applies every missing version and returns the versions it applied (empty when already up to date).
    @discardableResult
    public static func migrate(
        client: PostgresClient,
        logger: Logger = Logger(label: "odometer.postgres.migrate")
    ) async throws -> [Int] {
        try await client.inTransaction("migrate the schema", logger: logger) { connection in
            // Its row is read: postgres-nio reports an error the statement meets (a timeout) only to
            // a reader of its rows, and the next statement would fail as "transaction aborted" instead.
            for try await _ in try await connection.checkedQuery("SELECT pg_advisory_xact_lock(\(advisoryLockKey))",
                                                                 logger: logger) {}
            try await connection.checkedQuery("""
                CREATE TABLE IF NOT EXISTS odometer_schema_migrations (
                  version integer PRIMARY KEY,
                  summary text NOT NULL,
                  applied_at timestamptz NOT NULL DEFAULT now())
                """, logger: logger)
            var applied = Set<Int>()
            for try await version in try await connection.checkedQuery(
                "SELECT version FROM odometer_schema_migrations", logger: logger).decode(Int.self) {
                applied.insert(version)
            }
            if let newest = applied.max(), newest > latestVersion {
                throw PostgresStoreError.schemaNewerThanBinary(found: newest, known: latestVersion)
            }
            var appliedNow: [Int] = []
            for migration in migrations where !applied.contains(migration.version) {
                for statement in migration.statements {
                    try await connection.checkedQuery(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.checkedQuery("""
                    INSERT INTO odometer_schema_migrations (version, summary)
                    VALUES (\(migration.version), \(migration.summary))
                    """, logger: logger)
                appliedNow.append(migration.version)
                logger.info("applied schema migration", metadata: ["version": "\(migration.version)"])
            }
            return appliedNow
        }
    }

    /// Versions recorded in the database, ascending (empty before the first migration).
    public static func appliedVersions(client: PostgresClient, logger: Logger) async throws -> [Int] {
        try await client.withStoreConnection("read schema versions") { connection in
            let exists = try await connection.checkedQuery(
                "SELECT to_regclass('odometer_schema_migrations') IS NOT NULL", logger: logger)
            var tableExists = false
            for try await value in exists.decode(Bool.self) { tableExists = value }
            guard tableExists else { return [] }
            let rows = try await connection.checkedQuery(
                "SELECT version FROM odometer_schema_migrations ORDER BY version", logger: logger)
            var versions: [Int] = []
            for try await version in rows.decode(Int.self) { versions.append(version) }
            return versions
        }
    }
}
