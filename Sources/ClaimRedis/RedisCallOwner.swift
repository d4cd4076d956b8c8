/// Who a command sent through `RedisLoopClient` answers: a claim batch, a wallet read, a
/// redemption. It writes the command (again, for a redirection or after NOSCRIPT) and gets
/// exactly one of `replied` or `failed` per command it sent, on the loop's thread. `tag` is the
/// owner's own name for the command (one owner may send several: a wallet, one per pool).
public protocol RedisCallOwner: AnyObject {
    /// Appends exactly one RESP command; with `sendSource`, the script's source (`EVAL`) in
    /// place of its SHA1.
    func writeCommand(tag: Int, sendSource: Bool, to out: inout [UInt8])
    /// The reply, lent in place for this call only (`RedisReplyView`). By default, its owned copy
    /// goes to `replied(tag:owned:)`.
    func replied(tag: Int, _ reply: RedisReplyView)
    /// The reply as an owned copy (also how a reply held for `WAIT` arrives).
    func replied(tag: Int, owned reply: RedisReply)
    /// No reply will come: `failure` says whether Redis may have run the command.
    func failed(tag: Int, _ failure: RedisRoutePolicy.Failure)
}

extension RedisCallOwner {
    public func replied(tag: Int, _ reply: RedisReplyView) { replied(tag: tag, owned: reply.owned()) }
}

/// What the client must know of a command to route, hold and bound it.
public struct RedisCallShape: Hashable, Sendable {
    /// Changes Redis state: with `--wait-replicas`, its reply waits for the `WAIT` after it.
    public var isWrite: Bool
    /// Whether it may be sent again after a lost reply (`RedisRoutePolicy`).
    public var resend: RedisResend
    /// The requests it answers (a claim batch answers many): what the pending bound counts.
    public var requests: Int
    /// A claim batch: while one is at a node, the owner may hold its next ones back
    /// (`RedisLoopClient.batchesInFlight`).
    public var isBatch: Bool

    public init(isWrite: Bool, resend: RedisResend, requests: Int = 1, isBatch: Bool = false) {
        self.isWrite = isWrite
        self.resend = resend
        self.requests = requests
        self.isBatch = isBatch
    }

    /// A read: no WAIT, safe to resend.
    public static let read = RedisCallShape(isWrite: false, resend: .safe)
}
