/// Converts between instants and the city's wall clock. The programme runs on one fixed UTC
/// offset (China has no daylight saving), so a fixed offset is exact.
public struct CityCalendar: Hashable, Sendable {
    public let utcOffsetSeconds: Int

    public init(utcOffsetSeconds: Int) { self.utcOffsetSeconds = utcOffsetSeconds }

    /// UTC+8, the city's local time.
    public static let shenyang = CityCalendar(utcOffsetSeconds: 8 * 3600)

    private var offsetMilliseconds: Int64 { Int64(utcOffsetSeconds) * 1000 }

    /// The instant at which the city's clock reads `time` on `date`.
    public func instant(on date: CivilDate, at time: TimeOfDay) -> Instant {
        let localMs = Int64(date.daysSinceEpoch) * 86_400_000 + Int64(time.minutes) * 60_000
        return Instant(unixMilliseconds: localMs - offsetMilliseconds)
    }

    /// The city's calendar date at `instant`.
    public func date(of instant: Instant) -> CivilDate {
        let local = instant.unixMilliseconds + offsetMilliseconds
        return CivilDate(daysSinceEpoch: Int(floorDiv(local, 86_400_000)))
    }

    /// `2022-06-10T10:00:00.000+08:00`: every voucher in every answer carries two of these.
    public func iso8601(_ instant: Instant) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(29)
        appendISO8601(instant, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The same, written digit by digit into `out` (29 bytes): a granted claim's answer writes
    /// its two instants with no String in between.
    public func appendISO8601(_ instant: Instant, to out: inout [UInt8]) {
        let local = instant.unixMilliseconds + offsetMilliseconds
        let days = floorDiv(local, 86_400_000)
        let msOfDay = Int(local - days * 86_400_000)
        let date = CivilDate(daysSinceEpoch: Int(days))
        let off = abs(utcOffsetSeconds) / 60
        // Into stack space, then one append.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 29) { text in
            func put(_ value: Int, _ width: Int, at i: Int) {
                var v = value
                for k in stride(from: i + width - 1, through: i, by: -1) {
                    text[k] = UInt8(48 + v % 10)
                    v /= 10
                }
            }
            put(date.year, 4, at: 0)
            text[4] = UInt8(ascii: "-")
            put(date.month, 2, at: 5)
            text[7] = UInt8(ascii: "-")
            put(date.day, 2, at: 8)
            text[10] = UInt8(ascii: "T")
            put(msOfDay / 3_600_000, 2, at: 11)
            text[13] = UInt8(ascii: ":")
            put(msOfDay / 60_000 % 60, 2, at: 14)
            text[16] = UInt8(ascii: ":")
            put(msOfDay / 1000 % 60, 2, at: 17)
            text[19] = UInt8(ascii: ".")
            put(msOfDay % 1000, 3, at: 20)
            text[23] = utcOffsetSeconds >= 0 ? UInt8(ascii: "+") : UInt8(ascii: "-")
            put(off / 60, 2, at: 24)
            text[26] = UInt8(ascii: ":")
            put(off % 60, 2, at: 27)
            out.append(contentsOf: UnsafeBufferPointer(rebasing: text[0..<29]))
        }
    }

    /// Parses `YYYY-MM-DDTHH:MM[:SS[.fff]]` followed by `Z`, `±HH:MM`, or nothing (then the
    /// city's own offset is meant).
    public func parseISO8601(_ text: String) -> Instant? {
        let b = Array(text.utf8)
        guard b.count >= 16, b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: " "),
            let date = CivilDate(String(decoding: b[0..<10], as: UTF8.self)),
            b[13] == UInt8(ascii: ":"), let h = DecimalDigits.value(b[11..<13]), h < 24,
            let mi = DecimalDigits.value(b[14..<16]), mi < 60
        else { return nil }
        var i = 16
        var seconds = 0, millis = 0
        if i < b.count, b[i] == UInt8(ascii: ":") {
            guard i + 3 <= b.count, let s = DecimalDigits.value(b[(i + 1)..<(i + 3)]), s < 60 else { return nil }
            seconds = s
            i += 3
            if i < b.count, b[i] == UInt8(ascii: ".") {
                var j = i + 1
                var digits = 0
                while j < b.count, b[j] >= 48, b[j] <= 57 {
                    if digits < 3 { millis = millis * 10 + Int(b[j] - 48); digits += 1 }
                    j += 1
                }
                guard j > i + 1 else { return nil }
                while digits < 3 { millis *= 10; digits += 1 }
                i = j
            }
        }
        var offset = utcOffsetSeconds
        if i < b.count {
            if b[i] == UInt8(ascii: "Z"), i + 1 == b.count {
                offset = 0
            } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-"), i + 6 == b.count,
                b[i + 3] == UInt8(ascii: ":"), let oh = DecimalDigits.value(b[(i + 1)..<(i + 3)]),
                let om = DecimalDigits.value(b[(i + 4)..<(i + 6)]), oh <= 14, om < 60
            {
                offset = (oh * 3600 + om * 60) * (b[i] == UInt8(ascii: "-") ? -1 : 1)
            } else {
                return nil
            }
        }
        let localMs =
            Int64(date.daysSinceEpoch) * 86_400_000 + Int64(h * 3_600_000 + mi * 60_000 + seconds * 1000 + millis)
        return Instant(unixMilliseconds: localMs - Int64(offset) * 1000)
    }
}

@inline(__always)
func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}
