/// One ORM call (`model.method(...)`), independent of the wire protocol.
///
/// Arguments are named and ordered as in the Python signature: JSON-2 sends them by name,
/// JSON-RPC's `execute_kw` sends them positionally in this order (Odoo ≤ 17 reads `create`'s
/// `vals_list` only positionally). `ids` are the records a record method acts on.
struct OdooCall: Sendable {
    var model: String
    var method: String
    var ids: [Int]?
    var arguments: [(name: String, value: JSONValue)]
    var context: [String: JSONValue]

    init(model: String, method: String, ids: [Int]? = nil,
         arguments: [(name: String, value: JSONValue)] = [], context: [String: JSONValue] = [:]) {
        self.model = model
        self.method = method
        self.ids = ids
        self.arguments = arguments
        self.context = context
    }

    static func searchRead(_ model: String, domain: [JSONValue], fields: [String],
                           context: [String: JSONValue] = [:]) -> OdooCall {
        OdooCall(model: model, method: "search_read",
                 arguments: [("domain", .array(domain)), ("fields", .array(fields.map(JSONValue.string)))],
                 context: context)
    }

    static func create(_ model: String, _ valsList: [JSONValue]) -> OdooCall {
        OdooCall(model: model, method: "create", arguments: [("vals_list", .array(valsList))])
    }

    static func unlink(_ model: String, ids: [Int]) -> OdooCall {
        OdooCall(model: model, method: "unlink", ids: ids)
    }

    static func actionPost(ids: [Int]) -> OdooCall {
        OdooCall(model: "account.move", method: "action_post", ids: ids)
    }

    static func fieldsGet(_ model: String, fields: [String], attributes: [String]) -> OdooCall {
        OdooCall(model: model, method: "fields_get",
                 arguments: [("allfields", .array(fields.map(JSONValue.string))),
                             ("attributes", .array(attributes.map(JSONValue.string)))])
    }
}

/// A domain leaf `[field, operator, value]`.
func domainTerm(_ field: String, _ op: String, _ value: JSONValue) -> JSONValue {
    .array([.string(field), .string(op), value])
}

/// Sends ORM calls to one Odoo database over one wire protocol. Implementations are value types
/// holding only immutable connection facts, so they are thread-safe.
protocol OdooRPCClient: Sendable {
    /// The protocol actually spoken, for logs.
    var protocolName: String { get }
    func execute(_ call: OdooCall) async throws(OdooError) -> JSONValue
}

extension OdooRPCClient {
    /// `search_read`, returning the records as objects.
    func searchRead(_ model: String, domain: [JSONValue], fields: [String],
                    context: [String: JSONValue] = [:]) async throws(OdooError) -> [JSONValue] {
        let result = try await execute(.searchRead(model, domain: domain, fields: fields, context: context))
        guard let records = result.arrayValue else {
            throw .malformedResponse("\(model).search_read returned \(JSONText.string(of: result))")
        }
        return records
    }

    /// `create` with a list of values, returning the new ids in the same order.
    func create(_ model: String, _ valsList: [JSONValue]) async throws(OdooError) -> [Int] {
        let result = try await execute(.create(model, valsList))
        let ids = result.arrayValue?.compactMap(\.intValue) ?? result.intValue.map { [$0] } ?? []
        guard ids.count == valsList.count else {
            throw .malformedResponse("\(model).create of \(valsList.count) records returned \(JSONText.string(of: result))")
        }
        return ids
    }
}
