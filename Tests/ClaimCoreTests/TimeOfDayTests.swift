import Testing

@testable import ClaimCore

@Suite struct TimeOfDayTests {
    @Test func parsesClockTimesIncludingEndOfDay() {
        #expect(TimeOfDay("10:00")?.minutes == 600)
        #expect(TimeOfDay("24:00") == .endOfDay)
        #expect(TimeOfDay("00:00") == .midnight)
        #expect(TimeOfDay("23:59")?.description == "23:59")
    }

    @Test func refusesImpossibleTimes() {
        for bad in ["24:01", "25:00", "10:60", "1000", "10:0", "ab:cd", ""] { #expect(TimeOfDay(bad) == nil, "\(bad)") }
    }
}
