/// How long a claimed voucher can be used.
public enum ValidityRule: Hashable, Sendable {
    /// Until 24:00 of the claim day (appliance, specialty).
    case endOfClaimDay
    /// Until 24:00 of the first such weekday (ISO: 1 = Monday ... 7 = Sunday) on or after the
    /// claim day (comprehensive: Thursday). A voucher claimed on that weekday itself is valid
    /// until that same midnight: the rule's "next Thursday 24:00" is the first one still ahead.
    case endOfWeekday(Int)
    /// Until 24:00 of a fixed date (the housing-fair grant: the programme's last day).
    case endOf(CivilDate)

    /// The first instant at which a voucher claimed at `claimedAt` is no longer usable.
    public func expiry(claimedAt: Instant, in calendar: CityCalendar) -> Instant {
        let day = calendar.date(of: claimedAt)
        switch self {
        case .endOfClaimDay:
            return calendar.instant(on: day.adding(days: 1), at: .midnight)
        case .endOfWeekday(let weekday):
            let ahead = (weekday - day.isoWeekday + 7) % 7
            return calendar.instant(on: day.adding(days: ahead + 1), at: .midnight)
        case .endOf(let last):
            return calendar.instant(on: last.adding(days: 1), at: .midnight)
        }
    }
}
