import Logging

/// Says, every `interval`, that a step is still waiting for Postgres (down, restarting, or an
/// earlier owner's transaction holding the rows it needs), until cancelled: a wait that lasts
/// is logged while it lasts, not only if it ends.
enum PostgresWaitWarning {
    /// Starts the warnings; cancel the task when the wait is over.
    static func start(every interval: Duration = .seconds(5), clock: ContinuousClock, logger: Logger,
                      message: @escaping @Sendable (_ waitedSeconds: Int64) -> String) -> Task<Void, any Error> {
        Task {
            var waited = Duration.zero
            while !Task.isCancelled {
                try await clock.sleep(for: interval)
                waited += interval
                logger.warning("\(message(waited.components.seconds))")
            }
        }
    }
}
