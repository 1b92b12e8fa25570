import ArgumentParser
import Foundation
import OdometerService

struct DeadLetterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dlq", abstract: "The dead-letter topic: `dlq replay` re-produces dead letters after a fix.",
        subcommands: [Replay.self])

    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-produce dead letters to the main topic (key and payload unchanged, odometer-* headers dropped).")

        @OptionGroup var options: ConfigOptions
        @Option(help: "Only dead letters appended at or after this time: RFC 3339, or a duration before now (2h).")
        var since: String?
        @Option(help: "Only dead letters with this odometer-reason, e.g. unknown_type.") var reason: String?
        @Flag(help: "List what would be replayed; produce nothing.") var dryRun = false
        @Flag(help: "One JSON object.") var json = false

        func validate() throws {
            if let since {
                do { _ = try OperatorInput.instant(since, parameter: "--since", now: Date()) } catch {
                    throw ValidationError(error.description)
                }
            }
            if let reason, reason.isEmpty { throw ValidationError("--reason must not be empty") }
        }

        func run() async throws {
            try await CommandFailure.reporting {
                let runtime = try options.runtime()
                let request = DeadLetterReplayRequest(
                    since: try since.map { try OperatorInput.instant($0, parameter: "--since", now: Date()) },
                    reason: reason, dryRun: dryRun)
                let report = try await runtime.replayDeadLetters(request)
                print(json ? report.json : report.text)
            }
        }
    }
}
