import Foundation
import Logging
import PostgresNIO

/// Creates and drops whole databases over one short-lived connection to a maintenance database.
///
/// Stateless, thread-safe. Database names are quoted as identifiers, so any name is safe to pass.
struct DatabaseAdmin: Sendable {
    /// The database to connect to while creating or dropping others (never the one being dropped).
    var maintenance: PostgresURL
    var logger: Logger

    func create(database name: String) async throws {
        try await execute("create database \(name)", "CREATE DATABASE \(Self.quotedIdentifier(name))")
    }

    /// Drops the database, disconnecting its sessions first (Postgres 13+); no error when it is missing.
    func drop(database name: String) async throws {
        try await execute("drop database \(name)",
                          "DROP DATABASE IF EXISTS \(Self.quotedIdentifier(name)) WITH (FORCE)")
    }

    private func execute(_ operation: String, _ sql: String) async throws {
        try await withStoreErrors(operation) {
            let connection = try await PostgresConnection.connect(
                configuration: try maintenance.connectionConfiguration(), id: 0, logger: logger)
            do {
                try await connection.checkedQuery(PostgresQuery(unsafeSQL: sql), logger: logger)
            } catch {
                try? await connection.close()
                throw error
            }
            try await connection.close()
        }
    }

    static func quotedIdentifier(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
