import Testing

@testable import ClaimCore

@Suite struct CivilDateTests {
    @Test func roundTripsDaysAcrossEras() {
        for days in stride(from: -719_000, through: 2_900_000, by: 997) {
            let d = CivilDate(daysSinceEpoch: days)
            #expect(d.daysSinceEpoch == days)
            #expect(CivilDate(year: d.year, month: d.month, day: d.day) == d)
        }
        #expect(CivilDate(daysSinceEpoch: 0).description == "1970-01-01")
    }

    @Test func knowsTheReleaseDays() {
        #expect(CivilDate("2022-06-10")?.isoWeekday == 5)  // Friday
        #expect(CivilDate("2022-06-16")?.isoWeekday == 4)  // Thursday
        #expect(CivilDate("2022-06-30")?.adding(days: 1).description == "2022-07-01")
    }

    @Test func refusesDaysThatDoNotExist() {
        #expect(CivilDate("2022-02-29") == nil)
        #expect(CivilDate("2024-02-29") != nil)
        #expect(CivilDate("1900-02-29") == nil)
        #expect(CivilDate("2000-02-29") != nil)
        #expect(CivilDate("2022-13-01") == nil)
        #expect(CivilDate("2022-6-10") == nil)
        #expect(CivilDate("2022-06-1x") == nil)
        #expect(CivilDate("") == nil)
    }
}
