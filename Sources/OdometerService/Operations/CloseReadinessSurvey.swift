public import MeteringCore
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

/// The one place the status page asks whether the open periods may close.
///
/// Today it applies `close`'s event-time watermark rule (`CloseReadiness`, as
/// `PeriodCloser.checkReadiness` does), partition by partition so the page can name the ones
/// behind: a period is ready once every partition that metered an event has metered one at
/// or past period end plus the grace period, in the latest of the accounts' time zones. When
/// readiness moves to arrival per partition (DESIGN §6), change this function, and only it.
public enum CloseReadinessSurvey {
    public static func assess(openPeriods: [OpenPeriodRecord], progress: [Int32: PartitionProgress],
                              calendars: [PeriodCalendar], gracePeriod: Duration) -> [PeriodReadiness] {
        let latest = progress.values.compactMap(\.latestEventSeconds).min().map { EventTime(seconds: $0) }
        return openPeriods.compactMap { open in
            guard let period = BillingPeriod(open.period) else { return nil }
            let readiness = CloseReadiness(period: period, calendars: calendars, watermark: latest, gracePeriod: gracePeriod)
            switch readiness {
            case .ready:
                return PeriodReadiness(period: open.period, openAccounts: open.openAccounts, rows: open.rows,
                                       ready: true, behind: [], summary: "ready to close")
            case .notYet(let watermark, let required):
                let behind = progress.values.sorted { $0.partition < $1.partition }.compactMap { partition in
                    partition.latestEventSeconds.flatMap { seconds in
                        seconds < required.seconds
                            ? PartitionBehind(partition: partition.partition,
                                              detail: "metered up to \(EventTime(seconds: seconds))")
                            : nil
                    }
                }
                let seen = watermark.map { "is at \($0)" } ?? "has seen no event yet"
                return PeriodReadiness(
                    period: open.period, openAccounts: open.openAccounts, rows: open.rows, ready: false,
                    behind: behind, summary: "waits until every partition meters an event past \(required) "
                        + "(period end plus the grace period); the watermark \(seen)")
            }
        }
    }
}
