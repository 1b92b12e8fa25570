import Foundation
import Logging
import MeteringCore
import OdometerConfig
import PostgresNIO
import ServiceLifecycle

/// Keeps `serve`'s accounts current (DESIGN §5: accounts are shared state). Every
/// `accountsRefreshMs` it reads the imported accounts from Postgres and, if the configuration
/// file changed, the file's accounts; when the result differs, the shards bucket the events they
/// meter from then on with it. So an `accounts import`, or an edit of the file, reaches every
/// running instance within that interval, and two instances never bucket an account's events
/// in different zones for longer. (Events metered before an account existed stay in their UTC
/// rows, unbilled; changes to other settings of the file still need a restart, and say so.)
struct AccountsRefresher: Service {
    let runtime: OdometerRuntime
    let postgres: PostgresClient
    let book: AccountBook
    let interval: Duration
    let logger: Logger

    func run() async throws {
        var configured = runtime.configuration.accounts
        var fileStamp = stamp()
        // Not read here: the book may have been built before an import that this task's first read
        // would already see, and then never be replaced. The first tick replaces it whatever it holds.
        var current: [Account]?
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return
            }
            if let path = runtime.configPath, stamp() != fileStamp {
                fileStamp = stamp()
                do {
                    let reloaded = try ConfigurationLoader.load(path: path)
                    configured = reloaded.accounts
                    logger.notice("configuration file changed: its accounts apply now; other changes need a restart")
                } catch {
                    logger.error("configuration file changed but does not load; keeping its previous accounts: \(error)")
                }
            }
            do {
                let accounts = try await OdometerRuntime.accounts(configured: configured, postgres: postgres, logger: logger)
                guard accounts != current else { continue }
                book.replace(with: try AccountDirectory(accounts: accounts))
                if current != nil {
                    logger.notice("accounts changed: events metered from now on use them",
                                  metadata: ["accounts": "\(accounts.count)"])
                }
                current = accounts
            } catch {
                logger.warning("cannot refresh the accounts; keeping the current ones: \(error)")
            }
        }
    }

    /// The configuration file's modification time and size.
    private func stamp() -> String {
        guard let path = runtime.configPath,
              let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return "" }
        return "\(attributes[.modificationDate] ?? "")/\(attributes[.size] ?? "")"
    }
}
