import ArgumentParser
import OdometerService
import PostgresStore

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate", abstract: "Create or upgrade the database schema (idempotent).")

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        try await CommandFailure.reporting {
            let runtime = try options.runtime()
            let applied = try await runtime.withPostgres(requireSchema: false) { postgres in
                try await SchemaMigrator.migrate(client: postgres, logger: runtime.logger)
            }
            print(applied.isEmpty
                  ? "schema already at version \(SchemaMigrator.latestVersion)"
                  : "schema migrated to version \(SchemaMigrator.latestVersion) (applied \(applied.map(String.init).joined(separator: ", ")))")
        }
    }
}
