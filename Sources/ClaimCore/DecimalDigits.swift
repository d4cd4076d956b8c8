/// Decimal digits as bytes: fixed-width fields of the date and time formats the core reads and
/// writes, and the lengths and counts the wire formats (HTTP, RESP) write.
public enum DecimalDigits {
    /// The value of a run of ASCII digits, or nil if any byte is not a digit, the run is empty
    /// or it is longer than 18 digits.
    public static func value<C: Collection>(_ digits: C) -> Int? where C.Element == UInt8 {
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
        // Least significant first into stack space, then one append: a per-digit append costs
        // a capacity and uniqueness check each.
        append(magnitude: UInt64(max(0, value)), to: &out)
    }

    /// Appends `value` in decimal with its sign (`-` when negative), as `String(value)` does.
    public static func append(signed value: Int64, to out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        append(magnitude: value.magnitude, to: &out)
    }

    private static func append(magnitude: UInt64, to out: inout [UInt8]) {
        var rest = magnitude
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var i = 20
            repeat {
                i -= 1
                digits[i] = UInt8(48 + rest % 10)
                rest /= 10
            } while rest > 0
            out.append(contentsOf: UnsafeBufferPointer(rebasing: digits[i...]))
        }
    }

    static func padded(_ value: Int, _ width: Int) -> String {
        let s = String(value)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
