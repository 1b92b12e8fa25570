/// The escaping of Postgres `COPY … FROM STDIN (FORMAT text)`: backslash, tab, newline and carriage
/// return become `\\`, `\t`, `\n`, `\r`; every other byte, multi-byte UTF-8 included, stays as it is.
/// Shared by the shards' `CopyTextWriter` and PostgresStore's `CopyTextBuffer`, each writing into its
/// own storage.
public enum CopyTextEscaping {
    /// Splits `field` into the runs of bytes that need no escape, passed whole to `literal`, and
    /// the bytes that do, passed to `escaped` as the letter that follows the backslash. Runs
    /// are copied in one piece: a field rarely holds any of the four bytes.
    @inlinable
    public static func forEachPiece(of field: UnsafeRawBufferPointer, literal: (UnsafeRawBufferPointer) -> Void,
                                    escaped: (UInt8) -> Void) {
        var runStart = 0
        for index in 0..<field.count {
            let letter: UInt8
            switch field[index] {
            case UInt8(ascii: "\\"): letter = UInt8(ascii: "\\")
            case UInt8(ascii: "\t"): letter = UInt8(ascii: "t")
            case UInt8(ascii: "\n"): letter = UInt8(ascii: "n")
            case UInt8(ascii: "\r"): letter = UInt8(ascii: "r")
            default: continue
            }
            if index > runStart { literal(UnsafeRawBufferPointer(rebasing: field[runStart..<index])) }
            escaped(letter)
            runStart = index + 1
        }
        if runStart < field.count { literal(UnsafeRawBufferPointer(rebasing: field[runStart..<field.count])) }
    }
}
