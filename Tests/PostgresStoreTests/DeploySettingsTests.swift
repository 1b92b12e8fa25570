import Foundation
@testable import PostgresStore
import Testing

/// The throwaway Postgres of tests, `demo` and `bench` runs with the settings that
/// deploy/postgresql/odometer.conf recommends for production; the binary cannot read that file
/// at run time, so this keeps the two lists equal.
@Suite struct DeploySettingsTests {
    @Test func theThrowawayServerUsesExactlyTheDeployedSettings() throws {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let text = try String(contentsOf: repository.appendingPathComponent("deploy/postgresql/odometer.conf"), encoding: .utf8)
        var deployed: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let setting = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
            guard let equals = setting.firstIndex(of: "=") else { continue }
            let name = setting[..<equals].trimmingCharacters(in: .whitespaces)
            deployed[name] = setting[setting.index(after: equals)...].trimmingCharacters(in: .whitespaces)
        }
        #expect(deployed.count >= 5, "the parser found \(deployed.count) settings in odometer.conf")
        let throwaway = Dictionary(uniqueKeysWithValues: ThrowawayServer.flushSettings.map { ($0.name, $0.value) })
        #expect(throwaway == deployed)
    }
}
