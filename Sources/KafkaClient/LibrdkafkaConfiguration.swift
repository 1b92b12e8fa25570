import CRdKafka
import Foundation

/// librdkafka properties as name/value text, merged from defaults and overrides, turned into an
/// `rd_kafka_conf_t` on demand.
///
/// Value type; `makeConf` returns a fresh C object each time, owned by the caller until it is
/// handed to `rd_kafka_new` (which takes it over on success).
struct LibrdkafkaConfiguration {
    private(set) var properties: [String: String]

    /// Settings every handle of this module starts from: keep librdkafka's own log output to
    /// errors, and do not log each closed idle connection.
    static let quiet: [String: String] = [
        "log_level": "3",
        "log.connection.close": "false",
    ]

    init(defaults: [String: String], overrides: [String: String]) {
        properties = Self.quiet.merging(defaults) { _, new in new }.merging(overrides) { _, new in new }
    }

    subscript(name: String) -> String? {
        get { properties[name] }
        set { properties[name] = newValue }
    }

    /// Builds the C configuration. Properties are applied in name order so that the result does
    /// not depend on dictionary order.
    func makeConf() throws -> OpaquePointer {
        guard let conf = rd_kafka_conf_new() else {
            throw KafkaError.clientCreationFailed(reason: "rd_kafka_conf_new returned NULL (out of memory)")
        }
        for (name, value) in properties.sorted(by: { $0.key < $1.key }) {
            let (result, reason) = withErrorText { rd_kafka_conf_set(conf, name, value, $0, $1) }
            if result != RD_KAFKA_CONF_OK {
                rd_kafka_conf_destroy(conf)
                throw KafkaError.invalidProperty(name: name, reason: Self.redacting(value, in: reason))
            }
        }
        return conf
    }

    /// librdkafka's reason with the rejected value blanked out (it quotes invalid values).
    static func redacting(_ value: String, in reason: String) -> String {
        value.isEmpty ? reason : reason.replacingOccurrences(of: value, with: "***")
    }
}

/// Creates a librdkafka handle from `conf`, which it consumes in every case.
func makeLibrdkafkaHandle(_ type: rd_kafka_type_t, conf: OpaquePointer) throws -> OpaquePointer {
    let (handle, reason) = withErrorText { rd_kafka_new(type, conf, $0, $1) }
    guard let handle else {
        rd_kafka_conf_destroy(conf)
        throw KafkaError.clientCreationFailed(reason: reason)
    }
    return handle
}

/// Calls `body` with a zeroed C buffer for librdkafka's `errstr` out-parameter and returns the
/// body's result with whatever text it wrote.
func withErrorText<Result>(_ body: (UnsafeMutablePointer<CChar>, Int) -> Result) -> (Result, String) {
    withUnsafeTemporaryAllocation(of: CChar.self, capacity: 512) { buffer in
        buffer.initialize(repeating: 0)
        let result = body(buffer.baseAddress!, buffer.count)
        return (result, String(cString: buffer.baseAddress!))
    }
}

/// librdkafka's English text for an error code.
func errorText(_ code: rd_kafka_resp_err_t) -> String {
    String(cString: rd_kafka_err2str(code))
}

extension Duration {
    /// Whole milliseconds, clamped to what librdkafka's `int` timeouts accept.
    var librdkafkaMilliseconds: Int32 {
        let (seconds, attoseconds) = components
        let millis = seconds.multipliedReportingOverflow(by: 1000).partialValue + attoseconds / 1_000_000_000_000_000
        return Int32(clamping: max(0, millis))
    }
}
