/// The kind of a JSON value found by the scanner.
public enum JSONValueKind: UInt8, Sendable {
    case missing = 0
    case string
    case number
    case trueLiteral
    case falseLiteral
    case null
    case object
    case array

    /// A scalar that counts as a value for dimensions and UNIQUE_COUNT (§2): strings, numbers
    /// and booleans. `null`, objects and arrays count as missing.
    @inlinable
    public var isPresentScalar: Bool {
        switch self {
        case .string, .number, .trueLiteral, .falseLiteral: true
        case .missing, .null, .object, .array: false
        }
    }
}

/// Where a JSON value sits in the message being decoded: byte offsets, no copy.
///
/// For a string, `start..<end` excludes the quotes and `hasEscapes` says whether its decoded
/// text differs from its bytes. Valid only while the message buffer it points into is alive.
public struct JSONValueRef: Sendable {
    public var kind: JSONValueKind
    public var hasEscapes: Bool
    public var start: Int32
    public var end: Int32

    public static let missing = JSONValueRef(kind: .missing, hasEscapes: false, start: 0, end: 0)

    @inlinable
    public init(kind: JSONValueKind, hasEscapes: Bool, start: Int32, end: Int32) {
        self.kind = kind
        self.hasEscapes = hasEscapes
        self.start = start
        self.end = end
    }

    @inlinable public var length: Int { Int(end &- start) }
}
