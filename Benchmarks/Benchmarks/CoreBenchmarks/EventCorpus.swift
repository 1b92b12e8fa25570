import MeteringCore
import MeteringWorkload

/// The demo's events, rendered once into one contiguous, never-freed buffer, so a benchmark
/// measures decoding and aggregation, not generation or array access.
struct EventCorpus: @unchecked Sendable {
    // @unchecked Sendable is safe: the buffer is written once in init and only read after.
    let base: UnsafeRawPointer
    let starts: UnsafeMutablePointer<Int>
    /// The account of each event, to split the corpus between shards as partitions would.
    let accounts: [Int]
    let count: Int
    let totalBytes: Int
    let catalog = MeterCatalog(meters: UsageWorkload.meters)

    init(events: Int, accounts: Int) {
        let workload = UsageWorkload(accounts: accounts, period: BillingPeriod("2026-10")!)
        var random = SystemRandomNumberGenerator()
        var bytes: [UInt8] = []
        let starts = UnsafeMutablePointer<Int>.allocate(capacity: events + 1)
        var eventAccounts: [Int] = []
        eventAccounts.reserveCapacity(events)
        for sequence in 0..<events {
            starts[sequence] = bytes.count
            let event = workload.event(sequence, random: &random)
            eventAccounts.append(event.account)
            event.render(into: &bytes)
        }
        starts[events] = bytes.count
        let storage = UnsafeMutableRawPointer.allocate(byteCount: bytes.count, alignment: 16)
        bytes.withUnsafeBytes { storage.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
        base = UnsafeRawPointer(storage)
        self.starts = starts
        self.accounts = eventAccounts
        count = events
        totalBytes = bytes.count
    }

    var averageEventBytes: Double { Double(totalBytes) / Double(count) }

    @inline(__always)
    func event(_ index: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base + starts[index], count: starts[index + 1] - starts[index])
    }
}
