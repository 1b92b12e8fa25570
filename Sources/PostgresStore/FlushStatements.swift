/// The SQL of the flush transaction, apart from the code that runs it.
///
/// A flush only appends: its deltas go to `usage_deltas` and `usage_unique_deltas` by COPY, tables
/// without any index, so it writes at the speed of COPY whatever the number of keys; merging them
/// into the totals is the compactor's work (`CompactionStatements`). Measured in `odometer bench`
/// (2026-12-02, before this): a key-ordered `INSERT … ON CONFLICT` of ~150k rows took ~3 s in a
/// flush, 4–7× slower than COPY of the same rows.
enum FlushStatements {
    static let deltas = "usage_deltas"
    static let uniqueDeltas = "usage_unique_deltas"
}
