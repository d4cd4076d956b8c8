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

    private static func appendDecimal(_ n: Int, to out: inout [UInt8]) {
        out.append(contentsOf: String(n).utf8)
        out.append(13)
        out.append(10)
    }
}
