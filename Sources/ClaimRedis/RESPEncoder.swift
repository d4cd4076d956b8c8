import ClaimCore

/// Writes commands in RESP (`*N\r\n$len\r\narg\r\n...`) into a caller-owned buffer, so a
/// pipeline of many commands is one contiguous write with no per-command allocation.
public enum RESPEncoder {
    public static func append(_ args: [[UInt8]], to out: inout [UInt8]) {
        out.append(UInt8(ascii: "*"))
        appendDecimal(args.count, to: &out)
        for a in args { a.withUnsafeBytes { appendBulk($0, to: &out) } }
    }

    /// One bulk string: `$len\r\n`, the bytes, `\r\n`.
    public static func appendBulk(_ bytes: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "$"))
        appendDecimal(bytes.count, to: &out)
        out.append(contentsOf: bytes)
        out.append(13)
        out.append(10)
    }

    /// The same for a String's UTF-8.
    public static func appendBulk(_ text: String, to out: inout [UInt8]) {
        var text = text
        text.withUTF8 { appendBulk(UnsafeRawBufferPointer($0), to: &out) }
    }

    /// An integer as a bulk string, as `String(value)` writes it: its digits counted first,
    /// for the length, and written with no String in between.
    public static func appendBulk(decimal value: Int64, to out: inout [UInt8]) {
        let magnitude = Int(value.magnitude)
        var length = value < 0 ? 2 : 1
        var rest = magnitude
        while rest >= 10 {
            rest /= 10
            length += 1
        }
        out.append(UInt8(ascii: "$"))
        appendDecimal(length, to: &out)
        DecimalDigits.append(signed: value, to: &out)
        out.append(13)
        out.append(10)
    }

    public static func append(_ args: [String], to out: inout [UInt8]) {
        append(args.map { Array($0.utf8) }, to: &out)
    }

    /// `n` (never negative: a count or a length) in decimal, then CRLF: digit by digit, with no
    /// String in between (callgrind showed `String(n)` at 22 allocations per claim).
    static func appendDecimal(_ n: Int, to out: inout [UInt8]) {
        DecimalDigits.append(n, to: &out)
        out.append(13)
        out.append(10)
    }
}
