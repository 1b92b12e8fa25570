import ArgumentParser
import OdometerService

struct OffsetsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "offsets",
        abstract: "Stored offsets, epochs and owners beside each partition's log range; `offsets reset` moves one.",
        subcommands: [Show.self, Reset.self], defaultSubcommand: Show.self)

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "List every partition.")

        @OptionGroup var options: ConfigOptions
        @Flag(help: "One JSON object per line.") var json = false

        func run() async throws {
            try await CommandFailure.reporting {
                let runtime = try options.runtime()
                let report = try await runtime.withPostgres { postgres in
                    try await PartitionOffsetsReport.read(source: runtime.closeReadinessSource, postgres: postgres,
                                                          logger: runtime.logger)
                }
                print(report.render(json: json))
            }
        }
    }

    struct Reset: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move a partition's stored offset: an operator's decision, recorded in Postgres.",
            discussion: """
                A partition whose stored offset left its log (retention deleted unmetered events, or the topic was \
                recreated) stops until this decides where it resumes. A running `serve` picks the reset up within \
                seconds. `earliest` is the log start, `latest` the log end (skip everything there), N an offset \
                inside the log.
                """)

        @OptionGroup var options: ConfigOptions
        @Option(help: "The partition.") var partition: Int32
        @Option(help: "earliest, latest, or an offset.") var to: String

        func validate() throws {
            guard partition >= 0 else { throw ValidationError("--partition must be 0 or more") }
            guard PartitionOffsetReset.Target(to) != nil else {
                throw ValidationError("--to must be earliest, latest or an offset (a whole number)")
            }
        }

        func run() async throws {
            try await CommandFailure.reporting {
                let runtime = try options.runtime()
                let line = try await runtime.withPostgres { postgres in
                    try await PartitionOffsetReset.apply(partition: partition, to: PartitionOffsetReset.Target(to)!,
                                                         requested: to, source: runtime.closeReadinessSource,
                                                         postgres: postgres, logger: runtime.logger)
                }
                print(line)
            }
        }
    }
}
