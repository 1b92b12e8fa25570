import Foundation
public import Logging
public import MeteringCore
public import PostgresNIO
public import PostgresStore

/// Whether one open period may close, as the status page shows it.
public struct PeriodReadiness: Sendable, Equatable {
    public var period: String
    public var openAccounts: Int
    /// Totals rows of the open accounts in the period.
    public var rows: Int64
    public var ready: Bool
    /// The partitions that hold the period back, each with why.
    public var behind: [PartitionBehind]
    /// One line: what close would say.
    public var summary: String
}

/// A partition that a period waits for.
public struct PartitionBehind: Sendable, Equatable {
    public var partition: Int32
    public var detail: String
}

/// The one place the status page asks whether the open periods may close: the rule `close`
/// applies (`PeriodCloser.readiness`, measured on arrival per partition, DESIGN §6), for the
/// time zones of every account, so the page and the command cannot disagree on a partition.
public enum CloseReadinessSurvey {
    public static func assess(openPeriods: [OpenPeriodRecord], calendars: [PeriodCalendar],
                              source: PeriodCloser.WatermarkSource, postgres: PostgresClient,
                              logger: Logger) async throws -> [PeriodReadiness] {
        var result: [PeriodReadiness] = []
        for open in openPeriods {
            guard let period = BillingPeriod(open.period) else { continue }
            let readiness = try await PeriodCloser.readiness(of: period, calendars: calendars, source: source,
                                                             postgres: postgres, logger: logger)
            result.append(view(open, readiness))
        }
        return result
    }

    /// How the page words one period's readiness. Pure.
    public static func view(_ open: OpenPeriodRecord, _ readiness: CloseReadiness) -> PeriodReadiness {
        let deadline = Date(timeIntervalSince1970: Double(readiness.deadlineMilliseconds) / 1000).ISO8601Format()
        return PeriodReadiness(
            period: open.period, openAccounts: open.openAccounts, rows: open.rows, ready: readiness.isReady,
            behind: readiness.behind.map {
                PartitionBehind(partition: $0.partition, detail: "\($0.uncommittedMessages) messages not yet metered")
            },
            summary: readiness.isReady ? "ready to close"
                : "waits until every partition has metered what was appended to Kafka before \(deadline) "
                    + "(period end plus the grace period)")
    }
}
