import Synchronization

/// How many librdkafka clients this process holds per bootstrap address: each one owns threads
/// that keep reconnecting until it is destroyed, so a client that outlives its owner is a leak a
/// test can see (`live(bootstrapServers:)` after the owner stopped).
public enum LiveClients {
    private static let counts = Mutex<[String: Int]>([:])

    /// Clients created for `bootstrapServers` and not yet released.
    public static func live(bootstrapServers: String) -> Int {
        counts.withLock { $0[bootstrapServers, default: 0] }
    }

    static func opened(_ bootstrapServers: String) {
        counts.withLock { $0[bootstrapServers, default: 0] += 1 }
    }

    static func released(_ bootstrapServers: String) {
        counts.withLock { counts in
            let left = counts[bootstrapServers, default: 0] - 1
            counts[bootstrapServers] = left > 0 ? left : nil
        }
    }
}
