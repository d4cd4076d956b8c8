import Testing

@testable import ClaimCore

@Suite struct CityCalendarTests {
    let cal = CityCalendar.shenyang
    let june10 = CivilDate(year: 2022, month: 6, day: 10)!

    @Test func tenOClockInTheCityIsTwoOClockUTC() {
        let t = cal.instant(on: june10, at: TimeOfDay(hour: 10, minute: 0)!)
        #expect(t.unixMilliseconds == 1_654_826_400_000)
        #expect(cal.iso8601(t) == "2022-06-10T10:00:00.000+08:00")
    }

    @Test func theCityDateChangesAtLocalMidnight() {
        let midnight = cal.instant(on: june10.adding(days: 1), at: .midnight)
        #expect(cal.date(of: midnight.adding(milliseconds: -1)) == june10)
        #expect(cal.date(of: midnight) == june10.adding(days: 1))
        // 16:00 UTC on June 10 is already June 11 in the city.
        #expect(cal.date(of: Instant(unixMilliseconds: 1_654_876_800_000)) == june10.adding(days: 1))
    }

    @Test func parsesISO8601InEveryAcceptedForm() {
        let ten = cal.instant(on: june10, at: TimeOfDay(hour: 10, minute: 0)!)
        #expect(cal.parseISO8601("2022-06-10T10:00:00+08:00") == ten)
        #expect(cal.parseISO8601("2022-06-10T10:00") == ten)
        #expect(cal.parseISO8601("2022-06-10T02:00:00Z") == ten)
        #expect(cal.parseISO8601("2022-06-10T09:59:59.999+08:00") == ten.adding(milliseconds: -1))
        #expect(cal.parseISO8601("2022-06-10T09:59:59.9") == ten.adding(milliseconds: -100))
        #expect(cal.parseISO8601(cal.iso8601(ten.adding(milliseconds: 1234))) == ten.adding(milliseconds: 1234))
    }

    @Test func refusesMalformedISO8601() {
        for bad in [
            "2022-06-10", "2022-06-10T25:00", "2022-06-10T10:00+8", "2022-06-10T10:00:00.Z", "x", "2022-06-31T10:00",
        ] {
            #expect(cal.parseISO8601(bad) == nil, "\(bad)")
        }
    }
}
