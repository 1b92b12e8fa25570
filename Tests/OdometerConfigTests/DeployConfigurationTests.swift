import Foundation
import OdometerConfig
import Testing

/// The configurations that deploy/ ships are loaded by the real loader, so a key that odometer
/// would refuse at start fails here, not in a cluster. deploy/check.sh checks the files around
/// them (compose, manifests), which cannot run odometer's loader.
@Suite struct DeployConfigurationTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    @Test func theComposeConfigurationLoadsWithTheEnvironmentComposeGivesIt() throws {
        let path = Self.repository.appendingPathComponent("deploy/compose/odometer.yaml").path
        let config = try ConfigurationLoader.load(path: path, environment: [
            "ODOMETER_POSTGRES_PASSWORD": "pw", "ODOMETER_ADMIN_TOKEN": "token"])
        #expect(config.kafka.brokers == "kafka:9092")
        #expect(config.kafka.group == "odometer")
        #expect(config.postgres.url == "postgres://odometer:pw@postgres:5432/odometer")
        #expect(config.http.listen == "0.0.0.0:8080")
        #expect(config.http.token == "token")
        #expect(config.meters.count == 5)
    }

    @Test func theKubernetesConfigMapHoldsAConfigurationThatLoadsWithTheSecretsKeys() throws {
        let manifest = try String(contentsOf: Self.repository.appendingPathComponent("deploy/kubernetes/configmap.yaml"),
                                  encoding: .utf8)
        let config = try ConfigurationLoader.parse(yaml: try Self.blockScalar("odometer.yaml", in: manifest), environment: [
            "ODOMETER_POSTGRES_URL": "postgres://odometer:pw@db:5432/odometer?sslmode=require",
            "ODOMETER_ADMIN_TOKEN": "token"])
        #expect(config.kafka.group == "odometer")
        #expect(config.http.listen == "0.0.0.0:8080")
        #expect(config.http.token == "token")
    }

    /// The text of `key: |` in a ConfigMap's data: the lines indented deeper than the key,
    /// with that indentation removed. Enough for the one manifest we ship; not a YAML parser.
    static func blockScalar(_ key: String, in manifest: String) throws -> String {
        let lines = manifest.split(separator: "\n", omittingEmptySubsequences: false)
        let start = try #require(lines.firstIndex { $0.trimmingCharacters(in: .whitespaces) == "\(key): |" })
        let keyIndent = lines[start].prefix { $0 == " " }.count
        var body: [Substring] = []
        for line in lines[(start + 1)...] {
            let indent = line.prefix { $0 == " " }.count
            if !line.trimmingCharacters(in: .whitespaces).isEmpty && indent <= keyIndent { break }
            body.append(line)
        }
        let blockIndent = body.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            .map { $0.prefix { $0 == " " }.count }.min() ?? 0
        return body.map { String($0.dropFirst(min(blockIndent, $0.prefix { $0 == " " }.count))) }
            .joined(separator: "\n")
    }
}
