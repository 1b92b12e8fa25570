/// Why a `PeriodCalendar` could not be made. Thread-safe value.
public enum PeriodCalendarError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The identifier is not an IANA time zone known to this system's time zone data.
    /// Custom offsets such as `GMT+5` are refused too: their sign is ambiguous.
    case unknownTimeZone(String)

    public var description: String {
        switch self {
        case .unknownTimeZone(let identifier):
            "unknown time zone \"\(identifier)\": use an IANA time zone identifier such as "
                + "\"Europe/Berlin\", \"America/New_York\" or \"UTC\" (case matters; no custom offsets like \"GMT+5\")"
        }
    }
}
