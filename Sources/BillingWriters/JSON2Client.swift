/// Odoo's JSON-2 API (`POST {url}/json/2/{model}/{method}`), Odoo 19 and later.
///
/// A bearer API key authenticates every call; arguments are named; errors use real HTTP
/// statuses with `{"name","message",...}` bodies. Immutable, thread-safe.
struct JSON2Client: OdooRPCClient {
    let transport: OdooHTTPTransport
    let destination: OdooDestination
    var protocolName: String { "json2" }

    func execute(_ call: OdooCall) async throws(OdooError) -> JSONValue {
        var body: [String: JSONValue] = [:]
        for argument in call.arguments { body[argument.name] = argument.value }
        if let ids = call.ids { body["ids"] = .ints(ids) }
        if !call.context.isEmpty { body["context"] = .object(call.context) }
        let url = "\(destination.url)/json/2/\(call.model)/\(call.method)"
        let headers = [("Authorization", "bearer \(destination.apiKey)"),
                       ("X-Odoo-Database", destination.database)]
        let response = try await transport.post(url, headers: headers, body: JSONText.bytes(of: .object(body)))
        let parsed = JSONValue.parse(response.body)
        let name = parsed?["name"]?.stringValue ?? "HTTP \(response.status)"
        let message = parsed?["message"]?.stringValue ?? String(decoding: response.body.prefix(500), as: UTF8.self)
        switch response.status {
        case 200:
            guard let parsed else { throw .malformedResponse("non-JSON body from \(url)") }
            return parsed
        case 401:
            throw .rejectedCredentials
        case 404:
            throw .notFound(url)
        case 429, 500...599:
            throw .outcomeUnknown(reason: "Odoo answered HTTP \(response.status) to \(call.model).\(call.method): \(message)",
                                  retryAfter: response.retryAfter)
        default:
            throw .remote(name: name, message: message)
        }
    }
}
