/// A point in time as milliseconds since the Unix epoch (UTC).
///
/// Integer milliseconds keep the hot path free of Foundation and make window edges such as
/// 09:59:59.999 vs 10:00:00.000 exact.
public struct Instant: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var unixMilliseconds: Int64

    public init(unixMilliseconds: Int64) { self.unixMilliseconds = unixMilliseconds }

    public static func < (a: Instant, b: Instant) -> Bool { a.unixMilliseconds < b.unixMilliseconds }

    public func adding(milliseconds: Int64) -> Instant {
        Instant(unixMilliseconds: unixMilliseconds + milliseconds)
    }

    public var description: String { CityCalendar.shenyang.iso8601(self) }
}
