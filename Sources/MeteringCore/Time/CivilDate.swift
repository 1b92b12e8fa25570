/// A date of the proleptic Gregorian calendar, and the day arithmetic behind RFC 3339
/// timestamps and billing periods. Pure integer arithmetic, exact for every `Int64` day
/// number this project can produce; no Foundation.
///
/// The conversions follow Howard Hinnant's `days_from_civil` / `civil_from_days`
/// (eras of 400 years = 146 097 days).
struct CivilDate: Hashable, Sendable {
    var year: Int64
    /// 1 ... 12
    var month: Int64
    /// 1 ... days in the month
    var day: Int64

    static let secondsPerDay: Int64 = 86_400

    /// Days since 1970-01-01 (negative before).
    var dayNumber: Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400                                  // 0 ... 399
        let shiftedMonth = month > 2 ? month - 3 : month + 9           // March = 0
        let dayOfYear = (153 * shiftedMonth + 2) / 5 + day - 1         // 0 ... 365
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    init(year: Int64, month: Int64, day: Int64) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// The date of day `dayNumber` (days since 1970-01-01).
    init(dayNumber: Int64) {
        let z = dayNumber + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097                                               // 0 ... 146096
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)  // 0 ... 365
        let shiftedMonth = (5 * dayOfYear + 2) / 153                                   // March = 0
        day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    }

    /// The date on which the UTC second `seconds` (since the epoch) falls.
    init(secondsSinceEpoch seconds: Int64) {
        self.init(dayNumber: CivilDate.floorDivide(seconds, CivilDate.secondsPerDay))
    }

    /// Months since January of year 0: `year * 12 + month - 1`.
    var monthIndex: Int64 { year * 12 + month - 1 }

    static func isLeapYear(_ year: Int64) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    /// Days in `month` (1 ... 12) of `year`.
    static func daysInMonth(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2: isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// The first day of the month with index `monthIndex` (months since January of year 0).
    static func firstDay(ofMonthIndex monthIndex: Int64) -> CivilDate {
        CivilDate(year: floorDivide(monthIndex, 12), month: monthIndex - floorDivide(monthIndex, 12) * 12 + 1, day: 1)
    }

    /// `a / b` rounded toward negative infinity, for `b > 0`.
    static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
        let quotient = a / b
        return (a % b < 0) ? quotient - 1 : quotient
    }
}
