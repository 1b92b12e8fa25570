/// An exception the fake raises the way Odoo does: `name` is the Python class path that ends up
/// in `data.name` (JSON-RPC) or `name` (JSON-2), `message` its text. The transaction that raised
/// it is rolled back.
struct OdooFakeException: Error, Sendable, Equatable {
    let name: String
    let message: String

    static func validation(_ message: String) -> Self { .init(name: "odoo.exceptions.ValidationError", message: message) }
    static func user(_ message: String) -> Self { .init(name: "odoo.exceptions.UserError", message: message) }
    static func missing(_ message: String) -> Self { .init(name: "odoo.exceptions.MissingError", message: message) }
    static let accessDenied = Self(name: "odoo.exceptions.AccessDenied", message: "Access Denied")
    static let serializationFailure = Self(name: "psycopg2.errors.SerializationFailure",
                                           message: "could not serialize access due to concurrent update")

    static func unknownMethod(_ model: String, _ method: String) -> Self {
        .init(name: "builtins.AttributeError", message: "The method '\(method)' does not exist on the model '\(model)'")
    }

    static func unknownModel(_ model: String) -> Self {
        .init(name: "builtins.KeyError", message: "'\(model)'")
    }

    /// The HTTP status JSON-2 answers for this exception.
    var json2Status: Int {
        switch name {
        case "odoo.exceptions.AccessDenied": 401
        case "odoo.exceptions.AccessError": 403
        case "odoo.exceptions.UserError", "odoo.exceptions.ValidationError", "odoo.exceptions.MissingError": 422
        case "builtins.AttributeError", "builtins.KeyError": 404
        default: 500
        }
    }
}
