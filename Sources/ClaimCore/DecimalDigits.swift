/// Fixed-width decimal fields for the date and time formats the core reads and writes.
enum DecimalDigits {
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

    static func padded(_ value: Int, _ width: Int) -> String {
        let s = String(value)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
