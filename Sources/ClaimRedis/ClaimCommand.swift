import ClaimCore

/// `EVALSHA claim.lua` for one pool segment's window, pre-rendered. The keys and the arguments
/// that are the same for every claim in the window are RESP bytes made once; a claim writes
/// only its own arguments (person, instants, idempotency key, store) between them, straight
/// into the pipeline's buffer. The bytes are exactly `ClaimScript.command`'s (tested); that
/// stays the way to build the command for anything else (the EVAL retry, a redirection).
public struct ClaimCommand: Sendable {
    public let segment: PoolSegment
    public let windowID: String
    /// The cluster slot every key of the command is in (the segment's hash tag).
    public let slot: Int
    /// `*21`, EVALSHA, the SHA, numkeys, KEYS[1-7], ARGV[1-2].
    private let head: [UInt8]
    /// ARGV[4-6]: limit, faces, threshold.
    private let middle: [UInt8]
    /// ARGV[10-11]: auto-open quota, buyer-list flag.
    private let tail: [UInt8]

    public init(segment: PoolSegment, window: String) {
        self.segment = segment
        windowID = window
        let keys = ClaimScript.keys(segment: segment, window: window)
        slot = HashSlot.of(keys[0])
        let fixed = ClaimScript.WindowArguments(segment: segment, window: window)
        func bulks(_ items: [String]) -> [UInt8] {
            var out: [UInt8] = []
            for item in items { RESPEncoder.appendBulk(item, to: &out) }
            return out
        }
        let script = LuaScript.claim
        var head: [UInt8] = [UInt8(ascii: "*")]
        RESPEncoder.appendDecimal(3 + keys.count + 12, to: &head)
        head += bulks(["EVALSHA", script.sha1, String(keys.count)] + keys + [fixed.storage, fixed.window])
        self.head = head
        middle = bulks([fixed.limit, fixed.faces, fixed.threshold])
        tail = bulks([fixed.quota, fixed.buyerList])
    }

    /// Appends the command for `r`, a claim in this command's segment and window.
    public func append(_ r: ClaimRequest, to out: inout [UInt8]) {
        out.append(contentsOf: head)
        RESPEncoder.appendBulk(r.person, to: &out)
        out.append(contentsOf: middle)
        RESPEncoder.appendBulk(decimal: r.claimedAt.unixMilliseconds, to: &out)
        RESPEncoder.appendBulk(decimal: r.expiresAt.unixMilliseconds, to: &out)
        RESPEncoder.appendBulk(r.idempotencyKey ?? "", to: &out)
        out.append(contentsOf: tail)
        RESPEncoder.appendBulk(r.store ?? "", to: &out)
    }
}
