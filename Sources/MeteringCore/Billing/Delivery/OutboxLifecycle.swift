/// The life of one outbox document at one destination (DESIGN §7):
///
/// ```
/// pending ──claimed──► in flight ──delivered──► delivered (final)
///    ▲                   │  ├──failed────────► failed ──retry requested──► pending
///    │                   │  ├──retry─────────► retrying at t ──due──► pending
///    └──lease expired────┘  └──rekey──────────► pending (new key stored first)
/// ```
///
/// Backoff belongs to the document, not the batch: a transient outcome delays only the
/// document it concerns, by full-jitter exponential backoff over its own attempts, never
/// sooner than the destination's `Retry-After`. The relay feeds events and performs the
/// returned action (a store update or a send); it decides nothing itself.
///
/// A value type over any `InstantProtocol`; the random source is injected per event.
public struct OutboxLifecycle<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    public enum State: Equatable, Sendable {
        /// Due for delivery; `attempts` were made before.
        case pending(attempts: Int)
        /// Handed to the writer; this is attempt number `attempt`.
        case inFlight(attempt: Int)
        /// Waiting for its backoff to pass.
        case retrying(at: Instant, attempts: Int)
        case delivered(remoteId: String)
        /// Refused permanently; `reason` is the remote error verbatim.
        case failed(reason: String)
    }

    public enum Event: Equatable, Sendable {
        /// A relay leased the document.
        case claimed
        /// The writer's outcome for it.
        case settled(DeliveryOutcome)
        /// The relay that held it stopped before an outcome (crash, kill, cancellation).
        case leaseExpired
        /// Its retry instant has passed.
        case due
        /// `odometer deliveries retry` after the cause was fixed.
        case retryRequested
    }

    public enum Action: Equatable, Sendable {
        /// Hand it to the writer.
        case send
        case markDelivered(remoteId: String)
        case markFailed(reason: String)
        /// Release it, due again `after` from now (at `at` on this clock).
        case reschedule(at: Instant, after: Duration, reason: String)
        /// Store the new idempotency key, then release it, due now.
        case storeKey(String, reason: String)
        /// Put a failed document back, due now, its attempts reset.
        case requeue
        /// Nothing to store (its lease simply ran out, or it became due).
        case none
    }

    public let backoff: RetryBackoff
    public private(set) var state: State

    public init(state: State, backoff: RetryBackoff) {
        self.state = state
        self.backoff = backoff
    }

    /// Applies `event` at `now`; throws when the event cannot happen in the current state
    /// (a bug in the caller, reported instead of corrupting the outbox).
    public mutating func handle(_ event: Event, now: Instant,
                                using random: inout some RandomNumberGenerator) throws(OutboxTransitionError) -> Action {
        switch (state, event) {
        case (.pending(let attempts), .claimed):
            state = .inFlight(attempt: attempts + 1)
            return .send
        case (.inFlight, .settled(.delivered(let remoteId))):
            state = .delivered(remoteId: remoteId)
            return .markDelivered(remoteId: remoteId)
        case (.inFlight, .settled(.failed(let reason))):
            state = .failed(reason: reason)
            return .markFailed(reason: reason)
        case (.inFlight(let attempt), .settled(.retry(let reason, let hint))):
            let delay = backoff.delay(afterAttempts: attempt, serverHint: hint, using: &random)
            let at = now.advanced(by: delay)
            state = .retrying(at: at, attempts: attempt)
            return .reschedule(at: at, after: delay, reason: reason)
        case (.inFlight(let attempt), .settled(.rekey(let newKey, let reason))):
            state = .pending(attempts: attempt)
            return .storeKey(newKey, reason: reason)
        case (.inFlight(let attempt), .leaseExpired):
            state = .pending(attempts: attempt)
            return .none
        case (.retrying(let at, let attempts), .due) where now >= at:
            state = .pending(attempts: attempts)
            return .none
        case (.failed, .retryRequested):
            state = .pending(attempts: 0)
            return .requeue
        default:
            throw OutboxTransitionError(state: "\(state)", event: "\(event)")
        }
    }
}

/// An event that cannot happen in the document's state, e.g. an outcome for a document that
/// was not in flight. Names both, so the bug can be found.
public struct OutboxTransitionError: Error, Equatable, Sendable, CustomStringConvertible {
    public let state: String
    public let event: String

    public var description: String {
        "outbox document in state \(state) cannot take event \(event): this is a bug in the relay, please report it"
    }
}
