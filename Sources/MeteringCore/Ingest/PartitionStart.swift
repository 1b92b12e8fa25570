/// What Postgres holds for a partition when this consumer claims it (`PartitionOffsetStore.claim`).
public struct StoredClaim: Hashable, Sendable {
    /// The next offset to meter: everything before it is in the totals.
    public var nextOffset: Int64
    /// The fencing epoch this claim was granted (DESIGN §5).
    public var epoch: Int64
    /// Where re-reading must begin to rebuild the dedup window before `nextOffset` (the offset
    /// of the newest checkpoint older than the window); nil when dedup is off.
    public var dedupFrom: Int64?
    /// Offsets of the partition that were dead-lettered (recent ones, kept as long as checkpoints):
    /// re-reading them must not remember them, whatever the configuration says of them today.
    public var deadLettered: [Int64]

    public init(nextOffset: Int64, epoch: Int64, dedupFrom: Int64? = nil, deadLettered: [Int64] = []) {
        self.nextOffset = nextOffset
        self.epoch = epoch
        self.dedupFrom = dedupFrom
        self.deadLettered = deadLettered
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
    /// Offsets in `seekTo ..< meterFrom` that were dead-lettered: the rebuild skips them.
    public var deadLettered: [Int64]

    public init(partition: Int32, seekTo: Int64, meterFrom: Int64, epoch: Int64, windowCoveredByLog: Bool = true,
                deadLettered: [Int64] = []) {
        self.partition = partition
        self.seekTo = seekTo
        self.meterFrom = meterFrom
        self.epoch = epoch
        self.windowCoveredByLog = windowCoveredByLog
        self.deadLettered = deadLettered
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
        let seekTo = max(wanted, log.low)
        return .success(FetchStart(partition: partition, seekTo: seekTo, meterFrom: meterFrom, epoch: claim.epoch,
                                   windowCoveredByLog: wanted >= log.low,
                                   deadLettered: claim.deadLettered.filter { $0 >= seekTo && $0 < meterFrom }))
    }
}
