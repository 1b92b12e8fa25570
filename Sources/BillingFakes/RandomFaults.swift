import MeteringWorkload

/// Faults a fake draws at random for every request, for fault storms: each request
/// independently is answered 5xx without being applied, 429 without being applied, or applied
/// with its answer lost (the connection drops), with these percentages; the rest are served.
/// Seeded, so a storm can be replayed. A value type.
public struct RandomFaults: Sendable, Hashable {
    public var serverErrorPercent: Int
    public var rateLimitPercent: Int
    public var appliedAnswerLostPercent: Int
    public var seed: UInt64

    public init(serverErrorPercent: Int = 0, rateLimitPercent: Int = 0, appliedAnswerLostPercent: Int = 0,
                seed: UInt64 = 1) {
        precondition(serverErrorPercent >= 0 && rateLimitPercent >= 0 && appliedAnswerLostPercent >= 0
                     && serverErrorPercent + rateLimitPercent + appliedAnswerLostPercent <= 100,
                     "fault percentages must be ≥ 0 and add up to at most 100")
        self.serverErrorPercent = serverErrorPercent
        self.rateLimitPercent = rateLimitPercent
        self.appliedAnswerLostPercent = appliedAnswerLostPercent
        self.seed = seed
    }
}

/// One fault drawn for one request.
public enum RandomFault: String, Sendable, Hashable, CaseIterable {
    case serverError
    case rateLimited
    case appliedAnswerLost
}

/// Draws ``RandomFault``s and counts them, so a test can check the storm really blew.
/// A value type owned by a fake behind its mutex.
struct FaultDice: Sendable {
    let faults: RandomFaults
    private var random: SplitMix64
    private(set) var drawn: [RandomFault: Int] = [:]

    init(_ faults: RandomFaults) {
        self.faults = faults
        random = SplitMix64(seed: faults.seed)
    }

    mutating func roll() -> RandomFault? {
        let draw = Int.random(in: 0..<100, using: &random)
        let fault: RandomFault?
        switch draw {
        case ..<faults.serverErrorPercent: fault = .serverError
        case ..<(faults.serverErrorPercent + faults.rateLimitPercent): fault = .rateLimited
        case ..<(faults.serverErrorPercent + faults.rateLimitPercent + faults.appliedAnswerLostPercent):
            fault = .appliedAnswerLost
        default: fault = nil
        }
        if let fault { drawn[fault, default: 0] += 1 }
        return fault
    }
}
