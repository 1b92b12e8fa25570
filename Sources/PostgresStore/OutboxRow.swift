import Foundation
import PostgresNIO

/// The column list and decoding of an `outbox` row, shared by every outbox query.
enum OutboxRow {
    static let columns = """
        destination, document_key, account, period, line_keys, status, attempts, next_attempt_at, lease_until,
        remote_id, last_error, created_at, updated_at, id, idempotency_key, first_attempt_at
        """

    static func decode(_ row: PostgresRow) throws -> OutboxEntry {
        let (destination, documentKey, account, period, lineKeys, statusText, attempts, nextAttemptAt, leaseUntil,
             remoteId, lastError, createdAt, updatedAt, id, idempotencyKey, firstAttemptAt) = try row.decode(
                (String, String, String, String, [String], String, Int32, Date, Date?, String?, String?, Date, Date,
                 Int64, String?, Date?).self)
        guard let status = OutboxStatus(rawValue: statusText) else {
            throw PostgresStoreError.unexpectedResult(operation: "read outbox", reason: "unknown status '\(statusText)'")
        }
        return OutboxEntry(destination: destination, documentKey: documentKey, account: account, period: period,
                           lineKeys: lineKeys, status: status, attempts: attempts, nextAttemptAt: nextAttemptAt,
                           leaseUntil: leaseUntil, remoteId: remoteId, lastError: lastError, createdAt: createdAt,
                           updatedAt: updatedAt, id: id, idempotencyKey: idempotencyKey, firstAttemptAt: firstAttemptAt)
    }
}
