import ClaimCore
import ClaimPOSIX

/// The `--now` option: absent, the real clock; given, a clock that starts at that instant
/// and runs on in real time (to replay a 2022 release day today).
public enum ClockSetting {
    public static func clock(now: String?, calendar: CityCalendar) throws -> any ClaimClock {
        guard let now else { return SystemClock() }
        guard let start = calendar.parseISO8601(now) else {
            throw SetupError("--now \(now): expected ISO-8601 such as 2022-06-10T09:59:50+08:00")
        }
        return ShiftedClock(base: SystemClock(), startingAt: start)
    }
}
