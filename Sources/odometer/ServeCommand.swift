import ArgumentParser
import OdometerHTTP
import OdometerService

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the pipeline (consumer, shards, flusher), the outbox relays and the admin HTTP server until SIGTERM.")

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        try await CommandFailure.reporting {
            let runtime = try options.runtime()
            // Refuse a bad `http` section before connecting to anything.
            let http: AdminHTTPSettings
            do {
                http = try AdminHTTPSettings(runtime.configuration.http)
            } catch {
                throw OdometerFailure.user("\(error)")
            }
            let metrics = PrometheusBackend.bootstrap()
            try await runtime.serve { context in
                [AdminServer(settings: http, context: context, metrics: { metrics.exposition() }, logger: runtime.logger)]
            }
        }
    }
}
