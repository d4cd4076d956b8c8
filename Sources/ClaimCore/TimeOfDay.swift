/// A wall-clock time in the city, to the minute, from 00:00 to 24:00 inclusive
/// (24:00 is the end of a day, as the programme's rules say "until 24:00").
public struct TimeOfDay: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let minutes: Int

    public init?(hour: Int, minute: Int) {
        guard (0...24).contains(hour), (0...59).contains(minute), hour < 24 || minute == 0 else { return nil }
        self.minutes = hour * 60 + minute
    }

    /// Parses `HH:MM`.
    public init?(_ text: String) {
        let b = Array(text.utf8)
        guard b.count == 5, b[2] == UInt8(ascii: ":"), let h = DecimalDigits.value(b[0..<2]),
            let m = DecimalDigits.value(b[3..<5])
        else { return nil }
        self.init(hour: h, minute: m)
    }

    public static let midnight = TimeOfDay(hour: 0, minute: 0)!
    public static let endOfDay = TimeOfDay(hour: 24, minute: 0)!

    public static func < (a: TimeOfDay, b: TimeOfDay) -> Bool { a.minutes < b.minutes }

    public var description: String {
        DecimalDigits.padded(minutes / 60, 2) + ":" + DecimalDigits.padded(minutes % 60, 2)
    }
}
