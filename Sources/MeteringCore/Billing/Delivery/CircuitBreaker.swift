/// Stops calls to a destination that is down (DESIGN §7), so a dead endpoint costs one probe
/// per `openDuration` instead of a timeout per document.
///
/// - Closed: every call goes; `failureThreshold` failures in a row open it.
/// - Open until an instant: no call goes.
/// - Half-open after that: exactly one probe goes; its success closes the breaker, its failure
///   opens it again for `openDuration`.
///
/// A failure is what says the destination is down (a 5xx, a timeout, a refused or dropped
/// connection); an answer, even a 4xx or a 429, says it is up. A value type over any
/// `InstantProtocol`; not thread-safe: its owner serializes access.
public struct CircuitBreaker<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    public enum State: Equatable, Sendable {
        case closed(consecutiveFailures: Int)
        case open(until: Instant)
        case halfOpen(probeInFlight: Bool)
    }

    public enum Permit: Equatable, Sendable {
        /// Closed: call.
        case call
        /// Half-open: this call is the probe; report its result.
        case probe
        /// Open: no call before `until`.
        case refuse(until: Instant)
        /// Half-open with the probe still out: ask again when it has answered.
        case awaitProbe
    }

    public let failureThreshold: Int
    public let openDuration: Duration
    public private(set) var state: State = .closed(consecutiveFailures: 0)

    public init(failureThreshold: Int = 10, openDuration: Duration = .seconds(10)) {
        precondition(failureThreshold > 0 && openDuration > .zero, "a breaker needs a threshold and an open time")
        self.failureThreshold = failureThreshold
        self.openDuration = openDuration
    }

    /// What `permit` would answer at `now`, without taking the probe slot.
    public func peek(now: Instant) -> Permit {
        switch state {
        case .closed: .call
        case .open(let until): now < until ? .refuse(until: until) : .probe
        case .halfOpen(let probeInFlight): probeInFlight ? .awaitProbe : .probe
        }
    }

    /// Whether a call may go now; a `.probe` answer takes the one half-open slot.
    public mutating func permit(now: Instant) -> Permit {
        let answer = peek(now: now)
        if answer == .probe { state = .halfOpen(probeInFlight: true) }
        return answer
    }

    /// The destination answered. Closes the breaker unless it is open (an answer to a call
    /// sent before it opened says nothing about now).
    public mutating func succeeded() {
        if case .open = state { return }
        state = .closed(consecutiveFailures: 0)
    }

    /// The probe was cancelled before an answer: the next call may probe instead.
    public mutating func probeAbandoned() {
        if state == .halfOpen(probeInFlight: true) { state = .halfOpen(probeInFlight: false) }
    }

    /// The destination did not answer, or answered 5xx.
    public mutating func failed(now: Instant) {
        switch state {
        case .closed(let failures):
            state = failures + 1 >= failureThreshold
                ? .open(until: now.advanced(by: openDuration)) : .closed(consecutiveFailures: failures + 1)
        case .halfOpen:
            state = .open(until: now.advanced(by: openDuration))
        case .open:
            break
        }
    }
}
