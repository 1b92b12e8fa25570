import Foundation
import Logging
import Metrics
import MeteringBuffers
import MeteringCore
import Synchronization

/// One aggregation shard: a thread that takes Kafka messages from its ring, decodes them,
/// drops duplicates within the dedup window, meters the rest, dead-letters the invalid ones,
/// and hands deltas to the flusher on request.
///
/// Partitions are pinned to shards, so a partition's messages are metered in order by one
/// thread. Per message there is no lock, no `await` and, for known keys, no allocation.
/// Messages below a partition's `meterFrom` (see `PartitionBoundaries`) only rebuild its dedup
/// window: they are neither metered, nor dead-lettered, nor counted in its progress.
///
/// With dedup on, an accepted event is metered one message late: its dedup slot is prefetched
/// (its subject's slot in the aggregator already was, while it was decoded), the next message
/// is decoded (by the other of two decoders), and only then is the first one checked and
/// metered. The window is far larger than the caches, so a check would otherwise stall on
/// memory once per event. Order is kept (a message that is not deferred meters the deferred
/// one first), and every batch ends with nothing deferred.
final class ShardWorker<Input: ShardInput>: FlushableShard, @unchecked Sendable {
    // @unchecked Sendable is safe: `decoder`, `spareDecoder`, `aggregator`, `dedup`, `seenAssignments`,
    // `rebuildSkips`, `accountsVersion`, `batch`, `bytesPerRow`, `sampling` and `deferred` are used
    // only by the shard's own thread (started in `start`, joined in `stop`); other threads reach
    // the worker only through `ring` (SPSC: the consumer thread pushes), `handoff` (atomics),
    // `doorbell` (Sendable: an atomic and a semaphore), `boundaries` (see its own proof) and the
    // atomic `processed`/`running`/`stopped`/`primed`/`catchUpRequests` counters.
    let index: Int
    let ring: SPSCRing<Input>
    /// Wakes the thread while it sleeps for want of work: rung after a push into `ring`, a delta
    /// request, a catch-up request and a stop.
    let doorbell = Doorbell()
    let handoff: DeltaHandoff
    /// Messages fully handled (metered or dead-lettered, and released).
    let processed = Atomic<Int>(0)
    /// True from `start` until `stop`: a shard that never started has no thread to wait for.
    private let running = Atomic<Bool>(false)
    /// Set when the thread has ended; a delta requested after that never comes.
    let stopped = Atomic<Bool>(false)
    /// Times the window reached `windowKeyLimit` and the shard stopped taking messages.
    let windowStalls = Atomic<Int>(0)
    /// While above 0, the shard takes messages even with a full window: someone waits for it to
    /// meter everything routed to it before flushing (revocation, stop). See `raiseCatchUp`.
    private let catchUpRequests = Atomic<Int>(0)
    private let windowKeyLimit: Int
    private let finished = DispatchSemaphore(value: 0)
    /// Messages read again only to rebuild dedup windows.
    let primed = Atomic<Int>(0)
    private let decoder: EventDecoder
    /// Decodes every other accepted message while the one before waits in `deferred`.
    private let spareDecoder: EventDecoder
    private let aggregator: ShardAggregator
    private let dedup: DedupFilter?
    private let boundaries: PartitionBoundaries
    /// The assignment each partition's dedup window belongs to. Read per message, so unchecked
    /// (like the pointers below): only the shard's thread touches it, and no access overlaps another.
    @exclusivity(unchecked) private var seenAssignments: [Int64] = []
    /// The accounts, and the version of them the aggregator uses.
    private let accounts: AccountBook
    private var accountsVersion: Int
    /// Per partition, the dead-lettered offsets its window rebuild skips (this assignment's).
    private var rebuildSkips: [Int32: Set<Int64>] = [:]
    private let deadLetters: any DeadLetterQueue
    private let batch: UnsafeMutableBufferPointer<Input>
    private let logger: Logger
    /// Encoded bytes per totals row in the last delta (plus slack), to size the next one.
    private var bytesPerRow = 0
    /// Append times of sampled messages since the last hand-off; behind a pointer, so the
    /// per-message countdown pays no dynamic exclusivity check.
    private let sampling: UnsafeMutablePointer<(countdown: Int, appended: [Int64])>
    /// The accepted message waiting for its dedup check while the next one decodes; behind a
    /// pointer for the same reason as `sampling`.
    private let deferred: UnsafeMutablePointer<Deferred>

    private struct Deferred {
        var message: Input?
        var fingerprint = EventFingerprint(key: 1, check: 0, payload: 0)
        var appended: Int64?
        /// Which decoder holds the deferred message's event.
        var decodedBySpare = false
        /// Which decoder the next message uses: the one not holding the deferred event.
        var nextDecodesWithSpare = false
    }

    init(index: Int, catalog: MeterCatalog, accounts: AccountBook, deadLetters: any DeadLetterQueue,
         ringCapacity: Int, windowKeyLimit: Int = .max, dedup: DedupFilter? = nil,
         boundaries: PartitionBoundaries = PartitionBoundaries(), logger: Logger) {
        self.index = index
        self.windowKeyLimit = windowKeyLimit
        ring = SPSCRing(capacity: ringCapacity)
        handoff = DeltaHandoff(doorbell: doorbell)
        decoder = EventDecoder(catalog: catalog)
        spareDecoder = EventDecoder(catalog: catalog)
        self.accounts = accounts
        accountsVersion = accounts.version
        aggregator = ShardAggregator(catalog: catalog, directory: accounts.directory)
        self.dedup = dedup
        self.boundaries = boundaries
        self.deadLetters = deadLetters
        batch = .allocate(capacity: 2048)
        self.logger = logger
        sampling = .allocate(capacity: 1)
        sampling.initialize(to: (1, []))
        deferred = .allocate(capacity: 1)
        deferred.initialize(to: Deferred())
    }

    deinit {
        batch.deallocate()
        sampling.deinitialize(count: 1)
        sampling.deallocate()
        deferred.deinitialize(count: 1)
        deferred.deallocate()
    }

    var hasStopped: Bool { stopped.load(ordering: .acquiring) }

    func start() {
        running.store(true, ordering: .releasing)
        // Named from inside the thread, in at most 15 bytes: Linux ignores a longer name, and a
        // name set before `start` never reached the thread (top and perf showed the dispatch
        // worker's "oot.default-qos" for both shards).
        let name = "odometer-sh\(index)"
        let thread = Thread { [self] in
            Thread.current.name = name
            run()
            finished.signal()
        }
        thread.start()
    }

    /// Stops the thread after the messages already in the ring; pending deltas stay unflushed
    /// (the caller flushes first when it wants them). Returns at once if the shard never started
    /// (a pipeline crashed or halted before `run`) or has stopped already.
    func stop() {
        guard running.exchange(false, ordering: .acquiringAndReleasing) else { return }
        doorbell.ring()
        finished.wait()
    }

    /// Makes the shard take its messages even with a full window until `lowerCatchUp`.
    func raiseCatchUp() {
        catchUpRequests.add(1, ordering: .releasing)
        doorbell.ring()
    }

    func lowerCatchUp() {
        catchUpRequests.subtract(1, ordering: .releasing)
    }

    /// True when the window is at its key limit and nobody waits for the shard to catch up:
    /// it takes no message until the flusher takes the window.
    private var windowIsFull: Bool {
        aggregator.pendingKeys >= windowKeyLimit && running.load(ordering: .relaxed)
            && catchUpRequests.load(ordering: .acquiring) == 0
    }

    /// Whether the thread has anything to do: messages it may take, a delta to serve, a stop.
    private var hasWork: Bool {
        (!ring.isEmpty && !windowIsFull) || handoff.isRequested || !running.load(ordering: .acquiring)
    }

    private func run() {
        var idleRounds = 0
        var stalled = false
        while running.load(ordering: .acquiring) || !ring.isEmpty {
            let windowIsFull = self.windowIsFull
            if windowIsFull != stalled {
                stalled = windowIsFull
                if stalled {
                    windowStalls.add(1, ordering: .relaxed)
                    Counter(label: "odometer_shard_window_full_total", dimensions: [("shard", "\(index)")]).increment()
                }
            }
            if accounts.version != accountsVersion {
                accountsVersion = accounts.version
                aggregator.replaceDirectory(accounts.directory)
            }
            let count = windowIsFull ? 0 : ring.pop(into: batch)
            for position in 0..<count {
                // The fetch thread wrote the messages on another core: start loading the header
                // two messages ahead and the payload one ahead while this one decodes.
                if position + 2 < count { batch[position + 2].prefetchHeader() }
                if position + 1 < count { batch[position + 1].prefetchPayload() }
                handle(batch[position])
            }
            meterDeferred()
            if count > 0 {
                processed.add(count, ordering: .releasing)
                handoff.pendingKeys.store(aggregator.pendingKeys, ordering: .relaxed)
                handoff.pendingMessages.add(count, ordering: .relaxed)
                if aggregator.windowEvents >= ShardAggregator.windowEventLimit {
                    logger.warning("shard \(index) holds \(aggregator.windowEvents) events unflushed; is the flusher stuck?")
                }
            }
            if handoff.isRequested {
                handoff.serve {
                    handoff.pendingKeys.store(0, ordering: .relaxed)
                    handoff.pendingMessages.store(0, ordering: .relaxed)
                    return drain()
                }
            }
            if count == 0 {
                idleRounds += 1
                // After a short spin, sleep until rung; the timeout only bounds what rings no
                // bell (a new accounts version).
                if idleRounds > 64 { doorbell.sleep(timeoutNanoseconds: 5_000_000) { hasWork } }
            } else {
                idleRounds = 0
            }
        }
        if handoff.isRequested { handoff.serve { drain() } }
        stopped.store(true, ordering: .releasing)
    }

    private func drain() -> ShardDelta {
        var delta = aggregator.drain(bytesPerRow: bytesPerRow)
        if let dedup {
            delta.rememberedIds = dedup.rememberedIds
            delta.dedupBytes = dedup.memoryBytes
            delta.forgottenEarly = dedup.forgottenEarly
        }
        let rows = delta.additiveTotals.rows
        if rows > 0 { bytesPerRow = delta.additiveTotals.bytes.count / rows + 8 }
        delta.sampledAppendMilliseconds = sampling.pointee.appended
        sampling.pointee.appended.removeAll(keepingCapacity: true)
        return delta
    }

    @inline(__always)
    private func handle(_ message: Input) {
        guard !message.isError else {
            logger.debug("consumer event on partition \(message.partition): \(message.errorDescription ?? "unknown")")
            message.release()
            return
        }
        let partition = message.partition
        let offset = message.offset
        let appended = message.appendMilliseconds
        let boundary = boundaries.start(of: partition)
        if Int(partition) >= seenAssignments.count {
            seenAssignments.append(contentsOf: repeatElement(0, count: Int(partition) + 1 - seenAssignments.count))
        }
        if seenAssignments[Int(partition)] != boundary.assignment {
            meterDeferred()   // it may be of this partition's previous window
            seenAssignments[Int(partition)] = boundary.assignment
            dedup?.reset(partition: partition, expectedIds: Int(boundaries.messagesToEnd(partition)))
            let skips = boundaries.deadLettered(partition)
            rebuildSkips[partition] = skips.isEmpty ? nil : Set(skips)
        }
        if offset < boundary.meterFrom {
            meterDeferred()
            rebuildWindow(with: message, appended: appended)
            message.release()
            return
        }
        sampling.pointee.countdown &-= 1
        if sampling.pointee.countdown == 0 {
            sampling.pointee.countdown = ShardSampling.latencySampleInterval
            if let appended { sampling.pointee.appended.append(appended) }
        }
        // Each decoder goes straight from its `let` to the call: picked into a local, it would be
        // a new strong reference, a retain and a release per message (so is `dedup` bound by `if let`).
        if deferred.pointee.nextDecodesWithSpare {
            meter(message, partition: partition, offset: offset, appended: appended, decoder: spareDecoder, spare: true)
        } else {
            meter(message, partition: partition, offset: offset, appended: appended, decoder: decoder, spare: false)
        }
    }

    /// Decodes an accepted message with `decoder` (the `spare` one or not) and meters it, or
    /// defers it for its dedup check while the next message decodes with the other decoder.
    @inline(__always)
    private func meter(_ message: Input, partition: Int32, offset: Int64, appended: Int64?,
                       decoder: EventDecoder, spare: Bool) {
        if let reason = decoder.decode(message.payload) {
            meterDeferred()
            reject(message, reason: reason)
        } else if dedup != nil {
            let fingerprint = fingerprint(of: message, decodedBy: decoder)
            dedup.unsafelyUnwrapped.prefetch(fingerprint, partition: partition)
            meterDeferred()
            deferred.pointee = Deferred(message: message, fingerprint: fingerprint, appended: appended,
                                        decodedBySpare: spare, nextDecodesWithSpare: !spare)
            return
        } else {
            aggregator.aggregate(decoder, partition: partition, offset: offset)
        }
        aggregator.recordProgress(partition: partition, offset: offset, appendMilliseconds: appended)
        message.release()
    }

    /// Checks the deferred message against the dedup window and meters it, if one waits.
    @inline(__always)
    private func meterDeferred() {
        guard dedup != nil, let message = deferred.pointee.message else { return }
        deferred.pointee.message = nil
        let partition = message.partition
        let offset = message.offset
        let appended = deferred.pointee.appended
        let verdict = dedup.unsafelyUnwrapped.check(deferred.pointee.fingerprint, partition: partition,
                                                    appendMilliseconds: appended ?? 0)
        switch verdict {
        case .first:
            if deferred.pointee.decodedBySpare {
                aggregator.aggregate(spareDecoder, partition: partition, offset: offset)
            } else {
                aggregator.aggregate(decoder, partition: partition, offset: offset)
            }
        case .duplicate: aggregator.recordDuplicate()
        case .conflict: reject(message, reason: .conflictingDuplicate)
        }
        aggregator.recordProgress(partition: partition, offset: offset, appendMilliseconds: appended)
        message.release()
    }

    private func reject(_ message: Input, reason: RejectionReason) {
        aggregator.recordRejection(reason, partition: message.partition, offset: message.offset)
        deadLetters.send(payload: message.payload, key: message.key, partition: message.partition,
                         offset: message.offset, reason: reason)
    }

    /// A message already in the totals, read again after an assignment: only its identity counts,
    /// unless it was dead-lettered then (it may decode today, under another configuration).
    private func rebuildWindow(with message: Input, appended: Int64?) {
        primed.add(1, ordering: .relaxed)
        if let skips = rebuildSkips[message.partition], skips.contains(message.offset) { return }
        guard let dedup, decoder.decode(message.payload) == nil else { return }
        _ = dedup.check(fingerprint(of: message, decodedBy: decoder), partition: message.partition,
                        appendMilliseconds: appended ?? 0)
    }

    /// The accepted event's identity, from `decoder`'s last `decode`.
    @inline(__always)
    private func fingerprint(of message: Input, decodedBy decoder: EventDecoder) -> EventFingerprint {
        let source = EventFingerprint.attributeHash(decoder.text(decoder.source))
        let id = EventFingerprint.attributeHash(decoder.text(decoder.id))
        return EventFingerprint(sourceHash: source, idHash: id, payload: message.payload)
    }
}

enum ShardSampling {
    /// One message in this many gives its append time to the commit-latency figures.
    static let latencySampleInterval = 256
}

/// What the flusher needs of a shard, whatever its input type.
protocol FlushableShard: AnyObject, Sendable {
    var index: Int { get }
    var handoff: DeltaHandoff { get }
    var hasStopped: Bool { get }
}
