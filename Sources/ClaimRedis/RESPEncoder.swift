import ClaimCore

/// Writes commands in RESP (`*N\r\n$len\r\narg\r\n...`) into a caller-owned buffer, so a
/// pipeline of many commands is one contiguous write with no per-command allocation.
public enum RESPEncoder {
    public static func append(_ args: [[UInt8]], to out: inout [UInt8]) {
        out.append(UInt8(ascii: "*"))
        appendDecimal(args.count, to: &out)
        for a in args {
            out.append(UInt8(ascii: "$"))
            appendDecimal(a.count, to: &out)
            out.append(contentsOf: a)
            out.append(13)
            out.append(10)
        }
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
