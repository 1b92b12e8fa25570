import Dispatch
import Foundation
import Logging

/// Bounds a graceful stop (DESIGN §4, issue: "exit within `shutdownTimeout`"): once SIGTERM or
/// SIGINT arrives, the process has `timeout` to stop fetching, flush, commit and leave the group;
/// if that hangs (say Postgres is down, so the last flush cannot commit), it exits with status 2.
/// Nothing is lost then: what was not committed is read again by the next start.
///
/// The service group handles the signal itself; this only adds a deadline beside it (libdispatch
/// delivers a signal to every source watching it). Keep it alive while serving.
final class ShutdownDeadline {
    private let sources: [any DispatchSourceSignal]

    init(timeout: Duration, logger: Logger) {
        let queue = DispatchQueue(label: "odometer.shutdown-deadline")
        sources = [SIGTERM, SIGINT].map { signal in
            let source = DispatchSource.makeSignalSource(signal: signal, queue: queue)
            source.setEventHandler {
                let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
                queue.asyncAfter(deadline: .now() + seconds) {
                    logger.critical("""
                        graceful shutdown did not finish within \(timeout) (pipeline.shutdownTimeout): exiting; \
                        the next start resumes from the offsets in Postgres
                        """)
                    _exit(2)
                }
            }
            source.resume()
            return source
        }
    }
}
