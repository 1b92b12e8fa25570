import ArgumentParser
import OdometerService

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Run the pipeline (consumer, shards, flusher) and the outbox relays until SIGTERM.")

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        try await CommandFailure.reporting {
            try await options.runtime().serve()
        }
    }
}
