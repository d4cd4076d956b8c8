/// Decimal digits as bytes: fixed-width fields of the date and time formats the core reads and
/// writes, and the lengths and counts the wire formats (HTTP, RESP) write.
public enum DecimalDigits {
    /// The value of a run of ASCII digits, or nil if any byte is not a digit or the run is empty.
    static func value<C: Collection>(_ digits: C) -> Int? where C.Element == UInt8 {
        guard !digits.isEmpty, digits.count <= 18 else { return nil }
        var v = 0
        for b in digits {
            guard b >= 48, b <= 57 else { return nil }
            v = v * 10 + Int(b - 48)
        }
        return v
    }

    /// Appends `value` (negative: as 0) in decimal, digit by digit, with no String in between:
    /// every answer and every Redis command writes a few of these.
    public static func append(_ value: Int, to out: inout [UInt8]) {
        var divisor = 1
        while divisor <= value / 10 { divisor *= 10 }
        var rest = max(0, value)
        while divisor > 0 {
            out.append(UInt8(48 + rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }

    static func padded(_ value: Int, _ width: Int) -> String {
        let s = String(value)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
