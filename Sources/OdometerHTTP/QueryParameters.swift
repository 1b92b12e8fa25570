import Hummingbird

/// A route's query parameters, refusing any it does not take: a misspelt `dryRun` must not
/// turn into a real close.
struct QueryParameters {
    private let values: [String: String]

    init(_ request: Request, allowed: Set<String>) throws {
        var values: [String: String] = [:]
        for (name, value) in request.uri.queryParameters {
            let name = String(name)
            guard allowed.contains(name) else {
                let taken = allowed.isEmpty ? "none" : allowed.sorted().joined(separator: ", ")
                throw AdminAPIError.badRequest("unknown query parameter `\(name)`; this route takes: \(taken)")
            }
            values[name] = String(value)
        }
        self.values = values
    }

    /// The value, nil when absent; an empty value counts as absent for text parameters.
    subscript(name: String) -> String? {
        values[name].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// A flag's raw text (present and empty means true).
    func flag(_ name: String) -> String? { values[name] }
}
