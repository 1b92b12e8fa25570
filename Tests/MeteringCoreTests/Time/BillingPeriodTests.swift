import MeteringCore
import Testing

struct BillingPeriodTests {
    @Test
    func indexCountsMonthsSinceJanuaryOfYearZero() throws {
        let period = try #require(BillingPeriod("2026-11"))
        #expect(period.index == 2026 * 12 + 10)
        #expect(period.year == 2026)
        #expect(period.month == 11)
        #expect(BillingPeriod(index: 0).description == "0000-01")
        #expect(BillingPeriod(index: 2026 * 12 + 10) == period)
        #expect(BillingPeriod(year: 2026, month: 11) == period)
    }

    @Test(arguments: ["2026-11", "0000-01", "9999-12", "1900-02", "2026-01"])
    func validTextRoundTrips(_ text: String) throws {
        #expect(try #require(BillingPeriod(text)).description == text)
    }

    @Test(arguments: ["2026-13", "2026-00", "2026-1", "26-11", "2026/11", "2026-11-01", " 2026-11", "2026-11 ",
                      "+2026-11", "-001-11", "2026-1a", "", "２026-11"])
    func malformedTextIsRejected(_ text: String) {
        #expect(BillingPeriod(text) == nil)
    }

    @Test
    func invalidMonthIsRejected() {
        #expect(BillingPeriod(year: 2026, month: 0) == nil)
        #expect(BillingPeriod(year: 2026, month: 13) == nil)
        #expect(BillingPeriod(year: 200_000_000, month: 1) == nil)
    }

    @Test
    func nextAndPreviousCrossYearBoundaries() throws {
        let december = try #require(BillingPeriod("2026-12"))
        #expect(december.next.description == "2027-01")
        #expect(december.next.previous == december)
        #expect(try #require(BillingPeriod("2026-01")).previous.description == "2025-12")
    }

    @Test(arguments: [("2026-01", "2026-01-31"), ("2026-02", "2026-02-28"), ("2028-02", "2028-02-29"),
                      ("2000-02", "2000-02-29"), ("1900-02", "1900-02-28"), ("2026-04", "2026-04-30"),
                      ("2026-12", "2026-12-31")])
    func lastDayHonoursLeapYears(_ period: String, _ lastDay: String) throws {
        #expect(try #require(BillingPeriod(period)).lastDayText == lastDay)
    }

    @Test
    func periodsOrderByTime() throws {
        let periods = try ["2027-01", "2026-02", "2026-12", "1999-12"].map { try #require(BillingPeriod($0)) }
        #expect(periods.sorted().map(\.description) == ["1999-12", "2026-02", "2026-12", "2027-01"])
    }

    @Test
    func yearsBeyondFourDigitsPrintExpanded() {
        #expect(BillingPeriod(index: 10_000 * 12).description == "+10000-01")
        #expect(BillingPeriod(index: -1).description == "-0001-12")
        #expect(BillingPeriod(index: -1).year == -1)
        #expect(BillingPeriod(index: -1).month == 12)
        #expect(BillingPeriod(BillingPeriod(index: -1).description) == nil)
    }
}
