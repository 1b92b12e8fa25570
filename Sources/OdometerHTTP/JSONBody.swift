import Hummingbird
import OdometerService

/// JSON response bodies. The rows of `usage`, `deliveries`, `close` and `dlq replay` come
/// already encoded by the functions the CLI prints with; this only wraps and answers them.
enum JSONBody {
    static func response(_ json: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: json + "\n")))
    }

    /// `[a,b,…]` of already-encoded JSON values.
    static func array(_ elements: [String]) -> String { "[" + elements.joined(separator: ",") + "]" }

    /// A flat object of string values, keys in order.
    static func object(_ pairs: KeyValuePairs<String, String>) -> String {
        "{" + pairs.map { "\(string($0.key)):\(string($0.value))" }.joined(separator: ",") + "}"
    }

    /// A JSON string literal, encoded as the CLI's `--json` output is.
    static func string(_ text: String) -> String { UsageReport.quoted(text) }
}
