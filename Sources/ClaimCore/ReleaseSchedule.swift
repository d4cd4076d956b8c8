/// When a pool releases stock, in the city's local time.
public enum ReleaseSchedule: Hashable, Sendable {
    /// One window a day on every day of each range (appliance: June 10-30 at 10:00; specialty:
    /// daily inside each of its periods), from `opensAt` to `closesAt` of that day.
    case daily(ranges: [DateRange], opensAt: TimeOfDay, closesAt: TimeOfDay)
    /// One window per period (comprehensive: four periods), from `opensAt` on its first day to
    /// `closesAt` on its last day.
    case periods([Period], opensAt: TimeOfDay, closesAt: TimeOfDay)

    /// Every window of the schedule, in time order.
    public func windows(in calendar: CityCalendar) -> [ReleaseWindow] {
        switch self {
        case .daily(let ranges, let opens, let closes):
            return ranges.flatMap { range in
                (range.first.daysSinceEpoch...range.last.daysSinceEpoch).map { d in
                    Self.dailyWindow(CivilDate(daysSinceEpoch: d), opens, closes, calendar)
                }
            }
        case .periods(let periods, let opens, let closes):
            return periods.map { Self.periodWindow($0, opens, closes, calendar) }
        }
    }

    /// The window with this id, if the schedule has one.
    public func window(id: String, in calendar: CityCalendar) -> ReleaseWindow? {
        switch self {
        case .daily(let ranges, let opens, let closes):
            guard let day = CivilDate(id), ranges.contains(where: { $0.contains(day) }) else { return nil }
            return Self.dailyWindow(day, opens, closes, calendar)
        case .periods(let periods, let opens, let closes):
            return periods.first { $0.id == id }.map { Self.periodWindow($0, opens, closes, calendar) }
        }
    }

    /// Where `instant` falls: in an open window, before the next one, or after the last.
    /// Daily schedules look only at today and the following range start, so this is O(ranges).
    public func position(at instant: Instant, in calendar: CityCalendar) -> SchedulePosition {
        switch self {
        case .daily(let ranges, let opens, let closes):
            let today = calendar.date(of: instant)
            var next: ReleaseWindow?
            for range in ranges {
                var day = max(range.first, today)
                while day <= range.last {
                    let w = Self.dailyWindow(day, opens, closes, calendar)
                    if w.contains(instant) { return .open(w) }
                    if instant < w.opensAt {
                        if next.map({ w.opensAt < $0.opensAt }) ?? true { next = w }
                        break
                    }
                    day = day.adding(days: 1)
                }
            }
            return next.map(SchedulePosition.upcoming) ?? .ended
        case .periods(let periods, let opens, let closes):
            var next: ReleaseWindow?
            for p in periods {
                let w = Self.periodWindow(p, opens, closes, calendar)
                if w.contains(instant) { return .open(w) }
                if instant < w.opensAt, next.map({ w.opensAt < $0.opensAt }) ?? true { next = w }
            }
            return next.map(SchedulePosition.upcoming) ?? .ended
        }
    }

    /// The release after the one open or due at `instant`: what a resident told `sold_out` can
    /// come back for. Nil after the last.
    public func nextRelease(after instant: Instant, in calendar: CityCalendar) -> ReleaseWindow? {
        switch position(at: instant, in: calendar) {
        case .open(let w):
            switch position(at: w.closesAt, in: calendar) {
            case .open(let next), .upcoming(let next): return next.opensAt > w.opensAt ? next : nil
            case .ended: return nil
            }
        case .upcoming(let w): return w
        case .ended: return nil
        }
    }

    private static func dailyWindow(
        _ day: CivilDate, _ opens: TimeOfDay, _ closes: TimeOfDay, _ calendar: CityCalendar
    ) -> ReleaseWindow {
        ReleaseWindow(
            id: day.description, opensAt: calendar.instant(on: day, at: opens),
            closesAt: calendar.instant(on: day, at: closes))
    }

    private static func periodWindow(
        _ p: Period, _ opens: TimeOfDay, _ closes: TimeOfDay, _ calendar: CityCalendar
    ) -> ReleaseWindow {
        ReleaseWindow(
            id: p.id, opensAt: calendar.instant(on: p.first, at: opens),
            closesAt: calendar.instant(on: p.last, at: closes))
    }
}

/// An inclusive range of calendar days.
public struct DateRange: Hashable, Sendable {
    public let first: CivilDate
    public let last: CivilDate

    /// Nil when `last` is before `first`.
    public init?(first: CivilDate, last: CivilDate) {
        guard first <= last else { return nil }
        self.first = first
        self.last = last
    }

    public func contains(_ day: CivilDate) -> Bool { first <= day && day <= last }
}

/// A named claim period ("p1": 2022-06-10 to 2022-06-16).
public struct Period: Hashable, Sendable {
    public let id: String
    public let days: DateRange
    public var first: CivilDate { days.first }
    public var last: CivilDate { days.last }

    public init(id: String, days: DateRange) {
        self.id = id
        self.days = days
    }
}
