/// Which bytes a header field value may hold (RFC 9110 §5.5): visible characters, space, HTAB
/// and obs-text (0x80-0xFF); no other control byte and no DEL. Checked eight bytes at a time:
/// every request carries a ~200-byte bearer token, and a byte-by-byte loop over it was the
/// largest cost of reading a request.
enum FieldValue {
    /// True when every byte of `b[r]` may stand in a field value.
    static func isClean(_ b: UnsafeRawBufferPointer, _ r: Range<Int>) -> Bool {
        guard let base = b.baseAddress else { return r.isEmpty }
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        var i = r.lowerBound
        while i + 8 <= r.upperBound {
            let x = base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            // "Has a byte below 0x20" and "has a byte equal to 0x7F" (Anderson's bit hacks): both
            // exact as existence tests, so a clean word is never sent to the byte loop by mistake
            // and a dirty one always is. HTAB also lands there and passes it.
            let below = (x &- ones &* 0x20) & ~x & highs
            let y = x ^ (ones &* 0x7F)
            let del = (y &- ones) & ~y & highs
            if below | del != 0 {
                for j in i..<(i + 8) where !isAllowed(b[j]) { return false }
            }
            i += 8
        }
        while i < r.upperBound {
            if !isAllowed(b[i]) { return false }
            i += 1
        }
        return true
    }

    static func isAllowed(_ c: UInt8) -> Bool { (c >= 32 || c == 9) && c != 127 }
}
