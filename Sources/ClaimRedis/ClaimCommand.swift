import ClaimCore

/// `EVALSHA claim.lua` for one pool segment's window, pre-rendered. The keys and the arguments
/// that are the same for every claim in the window are RESP bytes made once; a batch writes
/// only its count and each claim's own arguments (person, instants, idempotency key, store),
/// straight into the pipeline's buffer. The bytes are exactly `ClaimScript.command`'s (tested);
/// that stays the way to build the command for anything else (the EVAL retry, a redirection).
public struct ClaimCommand: Sendable {
    public let segment: PoolSegment
    public let windowID: String
    /// The cluster slot every key of the command is in (the segment's hash tag).
    public let slot: Int
    /// The arguments before the claims': EVALSHA, the SHA, numkeys, KEYS[1-7], ARGV[1-7].
    private let fixedCount: Int
    private let fixed: [UInt8]

    public init(segment: PoolSegment, window: String) {
        self.segment = segment
        windowID = window
        let keys = ClaimScript.keys(segment: segment, window: window)
        slot = HashSlot.of(keys[0])
        let items =
            ["EVALSHA", LuaScript.claim.sha1, String(keys.count)] + keys
            + ClaimScript.windowArguments(segment: segment, window: window)
        fixedCount = items.count
        var fixed: [UInt8] = []
        for item in items { RESPEncoder.appendBulk(item, to: &fixed) }
        self.fixed = fixed
    }

    /// Appends the command for `count` claims: the part before the claims' own arguments, which
    /// `appendClaim` writes next, once per claim, in order.
    public func appendHead(claims count: Int, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "*"))
        RESPEncoder.appendDecimal(fixedCount + count * ClaimScript.argumentsPerClaim, to: &out)
        out.append(contentsOf: fixed)
    }

    /// Appends the arguments of `r`, a claim in this command's segment and window.
    public func appendClaim(_ r: ClaimRequest, to out: inout [UInt8]) {
        RESPEncoder.appendBulk(r.person, to: &out)
        RESPEncoder.appendBulk(decimal: r.claimedAt.unixMilliseconds, to: &out)
        RESPEncoder.appendBulk(decimal: r.expiresAt.unixMilliseconds, to: &out)
        RESPEncoder.appendBulk(r.idempotencyKey ?? "", to: &out)
        RESPEncoder.appendBulk(r.store ?? "", to: &out)
    }
}
