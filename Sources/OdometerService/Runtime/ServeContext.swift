public import PostgresNIO

/// What `serve` shares with the services added to it (the admin HTTP server): the runtime, the
/// process's Postgres client (run by the service group), and the health, tally and status
/// board that the pipeline and the sampler fill.
public struct ServeContext: Sendable {
    public let runtime: OdometerRuntime
    public let postgres: PostgresClient
    public let status: ServeStatus

    public init(runtime: OdometerRuntime, postgres: PostgresClient, status: ServeStatus) {
        self.runtime = runtime
        self.postgres = postgres
        self.status = status
    }

    public var monitor: PipelineMonitor { status.monitor }
}
