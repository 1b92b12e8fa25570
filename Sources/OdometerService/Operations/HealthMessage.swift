/// One line about an error for readiness and the status page: the first line of its
/// description, URL passwords hidden, at most 300 characters. Configured secrets are removed
/// again where the text leaves the process (`SecretScrubber` in the HTTP layer).
enum HealthMessage {
    static func of(_ error: any Error) -> String {
        let line = OdometerRuntime.shortDescription(of: error)
        let text = SecretScrubber.redactingURLPasswords(line.isEmpty ? "\(error)" : line)
        return text.count > 300 ? String(text.prefix(299)) + "…" : text
    }
}
