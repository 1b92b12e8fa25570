public import Foundation
import MeteringCore
internal import Yams

/// Loads and validates the configuration file (DESIGN §3). Unknown keys, wrong types and
/// invalid values are refused at start with the line and the key; the first problem found is
/// reported. The environment is injected, so `parse` is pure.
public enum ConfigurationLoader {
    /// Reads `path` (or `ODOMETER_CONFIG` when path is nil).
    public static func load(path: String?, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(ConfigurationError) -> OdometerConfiguration {
        guard let path = path ?? environment["ODOMETER_CONFIG"] else {
            throw ConfigurationError(line: nil, key: "", message: "no configuration: pass --config FILE or set ODOMETER_CONFIG")
        }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError(line: nil, key: "", message: "cannot read \(path): check the path and its permissions")
        }
        return try parse(yaml: text, environment: environment)
    }

    public static func parse(
        yaml: String, environment: [String: String],
        readFile: @escaping @Sendable (String) -> String? = { path in
            FileManager.default.contents(atPath: path).flatMap { String(data: $0, encoding: .utf8) }
        }
    ) throws(ConfigurationError) -> OdometerConfiguration {
        let node: Node
        do {
            guard let composed = try Yams.compose(yaml: yaml) else {
                throw ConfigurationError(line: nil, key: "", message: "is empty: it needs at least kafka, postgres and meters")
            }
            node = composed
        } catch let error as ConfigurationError {
            throw error
        } catch let error as YamlError {
            if case .duplicatedKeysInMapping(let duplicates, _) = error {
                throw ConfigurationError(line: Self.line(of: error), key: duplicates.joined(separator: ", "),
                                         message: "is given twice in one mapping")
            }
            throw ConfigurationError(line: Self.line(of: error), key: "", message: "is not valid YAML: \(error)")
        } catch {
            throw ConfigurationError(line: nil, key: "", message: "is not valid YAML: \(error)")
        }
        let root = ConfigNode(node: node, path: "",
                              environment: EnvironmentSubstitution(variables: environment, readFile: readFile))
        let top = try root.mapping(allowed: ["kafka", "postgres", "pipeline", "http", "meters", "plans", "accounts", "billing"])
        let meters = try MeterSection.read(try top.required("meters"))
        let plans = try top["plans"].map { node throws(ConfigurationError) in try PlanSection.read(node, meters: meters) } ?? []
        let accounts = try top["accounts"].map { node throws(ConfigurationError) in
            try AccountSection.read(node, plans: Set(plans.map(\.key)))
        } ?? []
        return OdometerConfiguration(
            kafka: try ServiceSections.kafka(try top.required("kafka")),
            postgres: try ServiceSections.postgres(try top.required("postgres")),
            pipeline: try top["pipeline"].map(ServiceSections.pipeline) ?? PipelineSettings(),
            http: try top["http"].map(ServiceSections.http) ?? HTTPSettings(),
            meters: meters, plans: plans, accounts: accounts,
            billing: try top["billing"].map(BillingSection.read) ?? BillingSettings())
    }

    private static func line(of error: YamlError) -> Int? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): mark.line
        case .duplicatedKeysInMapping(_, let context): context.mark.line
        default: nil
        }
    }
}
