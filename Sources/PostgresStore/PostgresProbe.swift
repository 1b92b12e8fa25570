public import Logging
import NIOCore
import PostgresNIO

extension PostgresURL {
    /// Opens and closes one connection within `timeout`, so a command fails fast with a clear
    /// error when the server is down, instead of waiting on a pool that keeps retrying.
    public func probe(timeout: Duration = .seconds(10), logger: Logger) async throws {
        let configuration = try connectionConfiguration()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                let connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
                try await connection.close()
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw PostgresProbeTimeout(timeout: timeout)
            }
            defer { group.cancelAll() }
            try await group.next()
        }
    }
}

/// No connection within the probe's time limit.
struct PostgresProbeTimeout: Error, CustomStringConvertible {
    let timeout: Duration
    var description: String { "no answer within \(timeout)" }
}
