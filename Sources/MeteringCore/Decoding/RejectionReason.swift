/// Why an event is invalid, with its reason code (DESIGN §2). The code goes into the dead
/// letter's `odometer-reason` header and the per-reason metric.
public enum RejectionReason: Hashable, Sendable, CustomStringConvertible {
    case invalidJSON
    case missingAttribute(String)
    case badTime
    /// The configured path of the meter whose quantity is missing or not a number.
    case badValue(path: String)
    case valueOutOfRange
    case unknownType
    case conflictingDuplicate

    /// The reason code, e.g. `missing_attribute:subject` or `bad_value:$.tokens`.
    public var code: String {
        switch self {
        case .invalidJSON: "invalid_json"
        case .missingAttribute(let name): "missing_attribute:\(name)"
        case .badTime: "bad_time"
        case .badValue(let path): "bad_value:\(path)"
        case .valueOutOfRange: "value_out_of_range"
        case .unknownType: "unknown_type"
        case .conflictingDuplicate: "conflicting_duplicate"
        }
    }

    public var description: String { code }
}
