import Testing

@testable import ClaimCore

@Suite struct ReleaseScheduleTests {
    let cal = CityCalendar.shenyang
    let ten = TimeOfDay(hour: 10, minute: 0)!
    func day(_ s: String) -> CivilDate { CivilDate(s)! }
    func at(_ s: String) -> Instant { cal.parseISO8601(s)! }

    var daily: ReleaseSchedule {
        .daily(
            ranges: [DateRange(first: day("2022-06-10"), last: day("2022-06-30"))!], opensAt: ten, closesAt: .endOfDay)
    }

    var periods: ReleaseSchedule {
        .periods(
            [
                Period(id: "p1", days: DateRange(first: day("2022-06-10"), last: day("2022-06-16"))!),
                Period(id: "p2", days: DateRange(first: day("2022-07-01"), last: day("2022-07-07"))!),
            ], opensAt: ten, closesAt: .endOfDay)
    }

    @Test func opensAtTenSharpNotAMillisecondBefore() {
        guard case .upcoming(let w) = daily.position(at: at("2022-06-10T09:59:59.999"), in: cal) else {
            Issue.record("expected upcoming")
            return
        }
        #expect(w.id == "2022-06-10")
        #expect(w.opensAt == at("2022-06-10T10:00:00.000"))
        #expect(daily.position(at: at("2022-06-10T10:00:00.000"), in: cal) == .open(w))
    }

    @Test func closesAtMidnightAndPointsToTomorrow() {
        guard case .open(let w) = daily.position(at: at("2022-06-10T23:59:59.999"), in: cal) else {
            Issue.record("expected open")
            return
        }
        #expect(w.closesAt == at("2022-06-11T00:00:00.000"))
        guard case .upcoming(let next) = daily.position(at: at("2022-06-11T00:00:00.000"), in: cal) else {
            Issue.record("expected upcoming")
            return
        }
        #expect(next.id == "2022-06-11")
    }

    @Test func beforeTheFirstDayTheFirstWindowIsNext() {
        guard case .upcoming(let w) = daily.position(at: at("2022-05-01T12:00"), in: cal) else {
            Issue.record("expected upcoming")
            return
        }
        #expect(w.id == "2022-06-10")
    }

    @Test func endsAfterTheLastWindow() {
        #expect(daily.position(at: at("2022-07-01T00:00:00.000"), in: cal) == .ended)
        #expect(periods.position(at: at("2022-07-08T00:00:00.000"), in: cal) == .ended)
    }

    @Test func periodWindowsSpanTheirDaysAndWaitInBetween() {
        guard case .open(let p1) = periods.position(at: at("2022-06-16T23:59:59.999"), in: cal) else {
            Issue.record("expected p1 open")
            return
        }
        #expect(p1.id == "p1")
        #expect(p1.closesAt == at("2022-06-17T00:00"))
        guard case .upcoming(let p2) = periods.position(at: at("2022-06-20T12:00"), in: cal) else {
            Issue.record("expected p2 upcoming")
            return
        }
        #expect(p2.id == "p2")
        #expect(p2.opensAt == at("2022-07-01T10:00"))
    }

    @Test func findsWindowsById() {
        #expect(daily.window(id: "2022-06-30", in: cal)?.opensAt == at("2022-06-30T10:00"))
        #expect(daily.window(id: "2022-07-01", in: cal) == nil)
        #expect(daily.window(id: "p1", in: cal) == nil)
        #expect(periods.window(id: "p2", in: cal)?.closesAt == at("2022-07-08T00:00"))
        #expect(daily.windows(in: cal).count == 21)
        #expect(periods.windows(in: cal).map(\.id) == ["p1", "p2"])
    }

    @Test func dailyWindowsSkipTheGapsBetweenRanges() {
        let split = ReleaseSchedule.daily(
            ranges: [
                DateRange(first: day("2022-06-10"), last: day("2022-06-11"))!,
                DateRange(first: day("2022-06-20"), last: day("2022-06-21"))!,
            ], opensAt: ten, closesAt: .endOfDay)
        guard case .upcoming(let w) = split.position(at: at("2022-06-12T10:30"), in: cal) else {
            Issue.record("expected upcoming")
            return
        }
        #expect(w.id == "2022-06-20")
    }
}
