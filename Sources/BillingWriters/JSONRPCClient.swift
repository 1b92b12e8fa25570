/// Odoo's JSON-RPC API (`POST {url}/jsonrpc`), Odoo 16 to 21.
///
/// Errors come back with HTTP 200 and an `error` object; the writer branches on `data.name`,
/// never on `code`. Holds the uid from `common.login`; immutable, thread-safe.
struct JSONRPCClient: OdooRPCClient {
    let transport: OdooHTTPTransport
    let destination: OdooDestination
    let uid: Int
    var protocolName: String { "jsonrpc" }

    /// Logs in; `login` answers `false` (not an error) for a bad, expired or revoked key.
    static func login(_ destination: OdooDestination, transport: OdooHTTPTransport) async throws(OdooError) -> JSONRPCClient {
        let args: [JSONValue] = [.string(destination.database), .string(destination.login), .string(destination.apiKey)]
        let result = try await send(service: "common", method: "login", args: args,
                                    destination: destination, transport: transport)
        guard let uid = result.intValue else {
            if result.isFalse { throw .rejectedCredentials }
            throw .malformedResponse("login returned \(JSONText.string(of: result))")
        }
        return JSONRPCClient(transport: transport, destination: destination, uid: uid)
    }

    func execute(_ call: OdooCall) async throws(OdooError) -> JSONValue {
        var positional: [JSONValue] = call.ids.map { [.ints($0)] } ?? []
        positional += call.arguments.map(\.value)
        let keywords: JSONValue = call.context.isEmpty ? .object([:]) : .object(["context": .object(call.context)])
        let args: [JSONValue] = [.string(destination.database), .int(uid), .string(destination.apiKey),
                                 .string(call.model), .string(call.method), .array(positional), keywords]
        return try await Self.send(service: "object", method: "execute_kw", args: args,
                                   destination: destination, transport: transport)
    }

    private static func send(service: String, method: String, args: [JSONValue],
                             destination: OdooDestination,
                             transport: OdooHTTPTransport) async throws(OdooError) -> JSONValue {
        let requestID = Int.random(in: 1...Int(Int32.max))
        let envelope: JSONValue = .object([
            "jsonrpc": .string("2.0"), "method": .string("call"), "id": .int(requestID),
            "params": .object(["service": .string(service), "method": .string(method), "args": .array(args)]),
        ])
        let url = destination.url + "/jsonrpc"
        let response = try await transport.post(url, headers: [], body: JSONText.bytes(of: envelope))
        switch response.status {
        case 200:
            break
        case 404:
            throw .notFound(url)
        case 429, 500...599:
            throw .outcomeUnknown(reason: "Odoo answered HTTP \(response.status) to \(service).\(method)",
                                  retryAfter: response.retryAfter)
        default:
            let text = String(decoding: response.body.prefix(500), as: UTF8.self)
            throw .malformedResponse("HTTP \(response.status) from \(url): \(text)")
        }
        guard let body = JSONValue.parse(response.body) else {
            throw .malformedResponse("non-JSON body from \(url)")
        }
        if let error = body["error"] { throw remoteError(error) }
        guard let result = body["result"] else {
            throw .malformedResponse("JSON-RPC answer without result or error from \(url)")
        }
        return result
    }

    /// `{"code":200,"message":"Odoo Server Error","data":{"name":"...","message":"..."}}`.
    private static func remoteError(_ error: JSONValue) -> OdooError {
        let name = error["data"]?["name"]?.stringValue ?? "unknown"
        let message = error["data"]?["message"]?.stringValue ?? error["message"]?.stringValue ?? "no message"
        if name.hasSuffix("AccessDenied") { return .rejectedCredentials }
        return .remote(name: name, message: message)
    }
}
