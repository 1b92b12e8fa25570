/// Which billing calendar each subject uses: its account's time zone, or UTC for an unknown
/// account (DESIGN §3). Immutable after init; Sendable; shared by all shards.
///
/// Looked up once per new subject (subjects are interned per shard), never per event.
public struct AccountDirectory: Sendable {
    /// Calendars by index; index 0 is UTC.
    public let calendars: [PeriodCalendar]
    private let calendarBySubject: [String: Int]

    /// Fails naming the first account whose time zone is unknown.
    public init(accounts: [Account]) throws(PeriodCalendarError) {
        var calendars = [PeriodCalendar.utc]
        var indexByZone = ["UTC": 0]
        var calendarBySubject: [String: Int] = [:]
        for account in accounts {
            let zone = account.timeZone
            let index: Int
            if let known = indexByZone[zone] {
                index = known
            } else {
                calendars.append(try PeriodCalendar(timeZone: zone))
                index = calendars.count - 1
                indexByZone[zone] = index
            }
            calendarBySubject[account.id] = index
        }
        self.calendars = calendars
        self.calendarBySubject = calendarBySubject
    }

    /// The calendar index of the account whose id is `subject` (UTF-8), 0 if unknown.
    public func calendarIndex(forSubject subject: UnsafeRawBufferPointer) -> Int {
        calendarBySubject[String(decoding: subject, as: UTF8.self)] ?? 0
    }

    /// The calendar of the account `id`, UTC if unknown.
    public func calendar(forAccount id: String) -> PeriodCalendar {
        calendars[calendarBySubject[id] ?? 0]
    }
}
