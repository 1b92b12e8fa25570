extension FakeHTTPResponse {
    /// What a reverse proxy answers when Odoo is down or overloaded.
    static func proxyError(_ error: OdooFakeFaults.ServerError) -> Self {
        var response = text("HTTP \(error.status) from the proxy in front of Odoo", status: error.status)
        response.retryAfterSeconds = error.retryAfterSeconds
        return response
    }
}

/// Odoo's two external APIs on one port: JSON-RPC (`/jsonrpc`, errors with HTTP 200) and
/// JSON-2 (`/json/2/{model}/{method}`, real statuses), both in front of the same database.
/// Stateless; the state lives in ``OdooFake``.
enum OdooFakeEndpoint {
    static func handle(_ request: FakeHTTPRequest, fake: OdooFake) -> FakeHTTPResponse {
        if request.path == "/jsonrpc" {
            guard request.method == "POST" else { return .text("405 Method Not Allowed", status: 405) }
            _ = fake.admit(protocol: "jsonrpc")
            return jsonRPC(request, fake: fake)
        }
        let segments = request.path.split(separator: "/").map(String.init)
        guard segments.count == 4, segments[0] == "json", segments[1] == "2", request.method == "POST",
              fake.admit(protocol: "json2") else {
            return json2Error(.init(name: "werkzeug.exceptions.NotFound", message: "Not Found"), status: 404)
        }
        return json2(request, model: segments[2], method: segments[3], fake: fake)
    }

    // MARK: JSON-RPC

    private static func jsonRPC(_ request: FakeHTTPRequest, fake: OdooFake) -> FakeHTTPResponse {
        guard let envelope = FakeJSON.parse(request.body), let params = envelope["params"],
              let service = params["service"]?.stringValue, let method = params["method"]?.stringValue else {
            return .text("Invalid JSON data", status: 400)
        }
        let id = envelope["id"] ?? .null
        let args = params["args"]?.arrayValue ?? []
        switch (service, method) {
        case ("common", "login"):
            let key = args.count == 3 ? args[2].stringValue : nil
            let uid = fake.authenticate(database: args.first?.stringValue, login: args.dropFirst().first?.stringValue, key: key)
            return .json(.object(["jsonrpc": .string("2.0"), "id": id, "result": uid.map(FakeJSON.int) ?? .bool(false)]))
        case ("common", "version"):
            return .json(.object(["jsonrpc": .string("2.0"), "id": id,
                                  "result": .object(["server_version": .string("18.0")])]))
        case ("object", "execute_kw"):
            guard args.count >= 5, let model = args[3].stringValue, let ormMethod = args[4].stringValue else {
                return jsonRPCError(id: id, .init(name: "builtins.TypeError", message: "execute_kw() missing arguments"))
            }
            guard fake.authenticate(database: args[0].stringValue, uid: args[1].intValue, key: args[2].stringValue) else {
                return jsonRPCError(id: id, .accessDenied)
            }
            let call = positionalCall(model: model, method: ormMethod,
                                      args: args.count > 5 ? args[5].arrayValue ?? [] : [],
                                      kwargs: args.count > 6 ? args[6].objectValue ?? [:] : [:])
            var response: FakeHTTPResponse
            switch fake.run(call) {
            case .success(let result):
                response = .json(.object(["jsonrpc": .string("2.0"), "id": id, "result": result.value]))
                response.delay = result.delay
                response.dropConnection = result.answerLost
            case .failure(.serverError(let error)):
                response = .proxyError(error)
            case .failure(.exception(let exception)):
                response = jsonRPCError(id: id, exception)
            }
            return response
        default:
            return jsonRPCError(id: id, .init(name: "builtins.Exception", message: "No such service method \(service).\(method)"))
        }
    }

    /// `execute_kw` passes `ids` first for record methods, then the method's positional
    /// parameters; keyword arguments (and `context`) may name any of them.
    private static func positionalCall(model: String, method: String, args: [FakeJSON],
                                       kwargs: [String: FakeJSON]) -> FakeCall {
        let signature = FakeCall.signatures[method] ?? (false, [])
        var positional = args[...]
        var ids: [Int] = []
        if signature.takesIDs, let first = positional.first {
            ids = first.arrayValue?.compactMap(\.intValue) ?? first.intValue.map { [$0] } ?? []
            positional = positional.dropFirst()
        }
        var arguments: [String: FakeJSON] = [:]
        for (name, value) in zip(signature.parameters, positional) { arguments[name] = value }
        for (name, value) in kwargs where name != "context" { arguments[name] = value }
        return FakeCall(model: model, method: method, ids: ids, arguments: arguments,
                        context: kwargs["context"]?.objectValue ?? [:])
    }

    private static func jsonRPCError(id: FakeJSON, _ exception: OdooFakeException) -> FakeHTTPResponse {
        .json(.object([
            "jsonrpc": .string("2.0"), "id": id,
            "error": .object(["code": .int(200), "message": .string("Odoo Server Error"),
                              "data": errorBody(exception)]),
        ]))
    }

    // MARK: JSON-2

    private static func json2(_ request: FakeHTTPRequest, model: String, method: String,
                              fake: OdooFake) -> FakeHTTPResponse {
        let authorization = request.headers["authorization"] ?? ""
        let key = authorization.lowercased().hasPrefix("bearer ") ? String(authorization.dropFirst(7)) : nil
        guard fake.authenticate(database: request.headers["x-odoo-database"] ?? fake.database, uid: nil, key: key) else {
            return json2Error(.init(name: "werkzeug.exceptions.Unauthorized", message: "Invalid apikey"), status: 401)
        }
        guard let body = FakeJSON.parse(request.body)?.objectValue else {
            return json2Error(.init(name: "werkzeug.exceptions.BadRequest", message: "Invalid JSON body"), status: 400)
        }
        var arguments = body
        let ids = arguments.removeValue(forKey: "ids")?.arrayValue?.compactMap(\.intValue) ?? []
        let context = arguments.removeValue(forKey: "context")?.objectValue ?? [:]
        let call = FakeCall(model: model, method: method, ids: ids, arguments: arguments, context: context)
        switch fake.run(call) {
        case .success(let result):
            // JSON-2 `create` returns a list of ids even for one dict.
            let value = method == "create" && result.value.intValue != nil ? .array([result.value]) : result.value
            var response = FakeHTTPResponse.json(value)
            response.delay = result.delay
            response.dropConnection = result.answerLost
            return response
        case .failure(.serverError(let error)):
            return .proxyError(error)
        case .failure(.exception(let exception)):
            return json2Error(exception, status: exception.json2Status)
        }
    }

    private static func json2Error(_ exception: OdooFakeException, status: Int) -> FakeHTTPResponse {
        .json(errorBody(exception), status: status)
    }

    private static func errorBody(_ exception: OdooFakeException) -> FakeJSON {
        .object(["name": .string(exception.name), "message": .string(exception.message),
                 "arguments": .array([.string(exception.message)]), "context": .object([:]),
                 "debug": .string("Traceback (most recent call last):\n  (odoo fake)\n\(exception.name): \(exception.message)\n")])
    }
}
