/// What Postgres holds for a partition when this consumer claims it (`PartitionOffsetStore.claim`).
public struct StoredClaim: Hashable, Sendable {
    /// The next offset to meter: everything before it is in the totals.
    public var nextOffset: Int64
    /// The fencing epoch this claim was granted (DESIGN §5).
    public var epoch: Int64
    /// Where re-reading must begin to rebuild the dedup window before `nextOffset` (the offset
    /// of the newest checkpoint older than the window); nil when dedup is off.
    public var dedupFrom: Int64?

    public init(nextOffset: Int64, epoch: Int64, dedupFrom: Int64? = nil) {
        self.nextOffset = nextOffset
        self.epoch = epoch
        self.dedupFrom = dedupFrom
    }
}

/// Where the consumer starts fetching a claimed partition, and where metering starts.
///
/// Messages in `seekTo ..< meterFrom` are already in the totals: they are read again only to
/// rebuild the dedup window (DESIGN §5), never metered, dead-lettered or committed.
public struct FetchStart: Hashable, Sendable {
    public var partition: Int32
    public var seekTo: Int64
    public var meterFrom: Int64
    public var epoch: Int64
    /// False when retention already deleted part of the dedup window: duplicates of events older
    /// than the log start cannot be recognised.
    public var windowCoveredByLog: Bool

    public init(partition: Int32, seekTo: Int64, meterFrom: Int64, epoch: Int64, windowCoveredByLog: Bool = true) {
        self.partition = partition
        self.seekTo = seekTo
        self.meterFrom = meterFrom
        self.epoch = epoch
        self.windowCoveredByLog = windowCoveredByLog
    }

    /// Where a claimed partition starts, or the problem that stops it: the stored offset must lie
    /// within the log (DESIGN §5). (A partition claimed for the first time is stored at its log
    /// start by the claim itself: a new group meters what the topic still holds.)
    public static func plan(partition: Int32, claim: StoredClaim, log: LogRange) -> Result<FetchStart, OffsetProblem> {
        let meterFrom = claim.nextOffset
        if let problem = OffsetProblem(partition: partition, storedOffset: meterFrom, log: log) {
            return .failure(problem)
        }
        let wanted = min(claim.dedupFrom ?? meterFrom, meterFrom)
        return .success(FetchStart(partition: partition, seekTo: max(wanted, log.low), meterFrom: meterFrom,
                                   epoch: claim.epoch, windowCoveredByLog: wanted >= log.low))
    }
}
