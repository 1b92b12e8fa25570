public import Foundation

/// Delivery state of an outbox row.
public enum OutboxStatus: String, Sendable, Hashable, CaseIterable {
    /// Waiting for (another) delivery attempt.
    case pending
    /// Accepted by the destination; `remoteId` holds its id.
    case delivered
    /// Refused permanently (a 4xx validation error); `lastError` holds the remote error verbatim.
    case failed
}

/// One outbox row as stored: a document for one destination and its delivery state. Value type.
public struct OutboxEntry: Sendable, Hashable {
    public var destination: String
    public var documentKey: String
    public var account: String
    public var period: String
    public var lineKeys: [String]
    public var status: OutboxStatus
    /// Number of claims so far (each claim is one delivery attempt).
    public var attempts: Int32
    public var nextAttemptAt: Date
    /// While in the future, the entry belongs to the relay that claimed it.
    public var leaseUntil: Date?
    public var remoteId: String?
    public var lastError: String?
    public var createdAt: Date
    public var updatedAt: Date
    /// A short handle for `deliveries retry --id`.
    public var id: Int64
    /// What the destination dedups on; nil for rows closed before schema 5 (the relay derives it).
    public var idempotencyKey: String?
    /// When a relay first claimed it.
    public var firstAttemptAt: Date?

    public init(destination: String, documentKey: String, account: String, period: String, lineKeys: [String],
                status: OutboxStatus, attempts: Int32, nextAttemptAt: Date, leaseUntil: Date?, remoteId: String?,
                lastError: String?, createdAt: Date, updatedAt: Date, id: Int64 = 0, idempotencyKey: String? = nil,
                firstAttemptAt: Date? = nil) {
        self.destination = destination
        self.documentKey = documentKey
        self.account = account
        self.period = period
        self.lineKeys = lineKeys
        self.status = status
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.leaseUntil = leaseUntil
        self.remoteId = remoteId
        self.lastError = lastError
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.id = id
        self.idempotencyKey = idempotencyKey
        self.firstAttemptAt = firstAttemptAt
    }
}
