/// Checks identifiers that end up in Redis keys, URLs and voucher ids. Bounded, and limited to
/// bytes that need no escaping anywhere (no `{`, `}`, `:`, `|`, spaces or quotes).
public enum Identifier {
    public static let maxLength = 64

    /// True for 1...64 bytes of `[A-Za-z0-9_.-]`.
    public static func isValid<C: Collection>(_ bytes: C) -> Bool where C.Element == UInt8 {
        guard !bytes.isEmpty, bytes.count <= maxLength else { return false }
        for b in bytes {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
                continue
            default:
                return false
            }
        }
        return true
    }

    public static func isValid(_ s: String) -> Bool { isValid(s.utf8) }
}
