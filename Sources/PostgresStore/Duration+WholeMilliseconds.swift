extension Duration {
    /// Whole milliseconds (truncated), for SQL intervals and logs.
    var wholeMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000 + attoseconds / 1_000_000_000_000_000
    }
}
