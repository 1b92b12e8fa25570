/// Whether a period may close (DESIGN §6): only once the pipeline's event-time watermark has
/// passed the period's end plus the grace period, in every closing account's time zone, so
/// late events still land in the period. `--force` skips this check.
public enum CloseReadiness: Equatable, Sendable {
    case ready
    /// The watermark (nil: no event metered yet) must reach `requiredWatermark`.
    case notYet(watermark: EventTime?, requiredWatermark: EventTime)

    public init(period: BillingPeriod, calendars: [PeriodCalendar], watermark: EventTime?, gracePeriod: Duration) {
        let latestEnd = (calendars.isEmpty ? [PeriodCalendar.utc] : calendars)
            .map { $0.bounds(of: period).end.seconds }.max()!
        let required = EventTime(seconds: latestEnd + gracePeriod.components.seconds)
        if let watermark, watermark >= required {
            self = .ready
        } else {
            self = .notYet(watermark: watermark, requiredWatermark: required)
        }
    }
}
