/// One operator action's id (`claimctl open`, `reset`, `rebalance`, `grant-list load`): its
/// script records the id atomically with the change, with the reply, and answers a second run
/// with the same id by that first reply, changing nothing. That is what makes the command safe
/// to resend after a lost reply (`RedisResend.safe`).
public struct OperationID: Hashable, Sendable, CustomStringConvertible {
    public let description: String

    /// 128 random bits (the system's generator: the kernel's getrandom), as 32 hex digits.
    public init() {
        var g = SystemRandomNumberGenerator()
        let (a, b) = (g.next() as UInt64, g.next() as UInt64)
        description = Self.hex(a) + Self.hex(b)
    }

    private static func hex(_ v: UInt64) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }

    /// A given id (tests; a caller that retries an action across processes).
    public init(_ id: String) { description = id }

    /// The id of the `n`-th step of a multi-call action (one per slot).
    public func step(_ n: Int) -> OperationID { OperationID("\(description).\(n)") }
}
