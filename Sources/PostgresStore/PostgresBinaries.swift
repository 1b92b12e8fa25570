import Foundation

/// Where the server programs (`initdb`, `pg_ctl`) of the newest installed Postgres live.
///
/// Search order: `$ODOMETER_PG_BIN`, then `/usr/lib/postgresql/<version>/bin` with the highest version
/// (Debian's layout, not on PATH), then each `PATH` entry. Immutable value, thread-safe.
public struct PostgresBinaries: Sendable, Hashable {
    public let directory: String

    public var initdb: String { directory + "/initdb" }
    public var pgCtl: String { directory + "/pg_ctl" }

    /// The newest installation found, or nil when none is installed.
    /// - Parameter environment: the variables to read; nil means this process's environment.
    public static func locate(environment: [String: String]? = nil) -> PostgresBinaries? {
        candidates(environment: environment ?? ProcessInfo.processInfo.environment).first { isInstallation($0) }.map(PostgresBinaries.init(directory:))
    }

    /// Every directory `locate` looks at, in order; used in the error when none holds Postgres.
    static func candidates(environment: [String: String]) -> [String] {
        var directories: [String] = []
        if let explicit = environment["ODOMETER_PG_BIN"], !explicit.isEmpty { directories.append(explicit) }
        directories += debianVersionDirectories()
        directories += (environment["PATH"] ?? "").split(separator: ":").map(String.init)
        return directories
    }

    private static func debianVersionDirectories() -> [String] {
        let root = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return versions
            .compactMap { name -> (version: [Int], name: String)? in
                let parts = name.split(separator: ".").map { Int($0) }
                guard !parts.isEmpty, parts.allSatisfy({ $0 != nil }) else { return nil }
                return (parts.map { $0! }, name)
            }
            .sorted { $0.version.lexicographicallyPrecedes($1.version) }
            .reversed()
            .map { "\(root)/\($0.name)/bin" }
    }

    private static func isInstallation(_ directory: String) -> Bool {
        let files = FileManager.default
        return files.isExecutableFile(atPath: directory + "/initdb") && files.isExecutableFile(atPath: directory + "/pg_ctl")
    }
}
