import ArgumentParser
import OdometerService

/// `--config FILE` (or `ODOMETER_CONFIG`), taken by every command but `demo`.
struct ConfigOptions: ParsableArguments {
    @Option(name: .long, help: "The configuration file (default: $ODOMETER_CONFIG).")
    var config: String?

    func runtime() throws -> OdometerRuntime {
        try OdometerRuntime.load(configPath: config, logger: CommandLogging.logger())
    }
}
