/// A single-use payment code: what a resident's app shows at the till for one payment with one
/// voucher, instead of anything that proves who the resident is.
///
/// The code is 22 random characters of the base64url alphabet (132 bits), issued by the gateway
/// at `POST /v1/me/payment-codes` for the asker's own voucher and stored beside that voucher in
/// Redis (`paycode.lua`), so `redeem.lua` consumes it in the same atomic call that uses the
/// voucher, on a cluster too. A merchant who scans it can pay with that voucher once, and with
/// nothing else: it is not a bearer token, names no other voucher, and expires in a minute.
public struct PaymentCode: Hashable, Sendable, CustomStringConvertible {
    /// How long a code may be scanned after it is issued.
    public static let lifetimeMilliseconds: Int64 = 60_000
    /// How long Redis keeps a code past its expiry, so that a late scan is told `expired` (not
    /// `unknown`) and a till's retry of the order it paid is still answered as the first time.
    public static let keptMilliseconds: Int64 = 600_000
    public static let length = 22

    public let text: String
    public var description: String { text }

    /// The code in `text`, or nil unless it is exactly 22 characters of `[A-Za-z0-9_-]`.
    public init?(_ text: String) {
        guard text.utf8.count == Self.length, text.utf8.allSatisfy(Self.isCodeByte) else { return nil }
        self.text = text
    }

    /// A fresh code from `generator` (the gateway passes the system's CSPRNG).
    public static func random<G: RandomNumberGenerator>(using generator: inout G) -> PaymentCode {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(length)
        var bits: UInt64 = 0
        var left = 0
        while bytes.count < length {
            if left < 6 {
                bits = generator.next()
                left = 64
            }
            bytes.append(alphabet[Int(bits & 63)])
            bits >>= 6
            left -= 6
        }
        // Every byte is from the alphabet, so the init cannot fail.
        return PaymentCode(uncheckedText: String(decoding: bytes, as: UTF8.self))
    }

    private init(uncheckedText: String) { text = uncheckedText }

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    private static func isCodeByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
            true
        default: false
        }
    }
}
