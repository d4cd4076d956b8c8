import ClaimCore
import ClaimHTTP
import ClaimRedis

/// The claims for one pool segment's window that a loop gathered before sending them (in one
/// iteration, or while its previous batch was at Redis), sent as one `claim.lua` call: Redis
/// answers a batch for about half the cost per claim of one call each (loadtest/RESULTS.md).
/// The script answers each claim as if it had run alone, in this order, so a batch changes
/// nothing a resident sees. Each claim keeps its own answer slot; the reply's items go to
/// `ClaimAnswers` in the order they were added.
final class ClaimBatch: RedisCallOwner {
    /// A claim and where its answer goes.
    struct Entry {
        let slot: HTTPAnswerSlot
        let claim: ClaimRequest
    }

    /// Claims per call, at most. Bounds the script's run (each claim is a few microseconds of
    /// Redis time, during which Redis serves no one else) and its argument count: 7 + 64 x 5
    /// ARGV, and at most 64 x 10 faces x 2 values in its largest HSET, well under the 8,000
    /// that Redis's Lua can unpack.
    static let maxClaims = 64

    let command: ClaimCommand
    let poolIndex: Int
    private let answers: ClaimAnswers
    private(set) var entries: [Entry] = []
    /// The loop's clock when the batch went to Redis (the claims' latency counts from here).
    var sentAt: UInt64 = 0

    init(command: ClaimCommand, poolIndex: Int, answers: ClaimAnswers) {
        self.command = command
        self.poolIndex = poolIndex
        self.answers = answers
        entries.reserveCapacity(Self.maxClaims)
    }

    var count: Int { entries.count }
    var isFull: Bool { entries.count >= Self.maxClaims }
    var claims: [ClaimRequest] { entries.map(\.claim) }

    func add(_ entry: Entry) { entries.append(entry) }

    /// How the Redis client must treat this call: a write of `count` claims that must never
    /// run twice (a claim without an Idempotency-Key would be granted twice).
    var shape: RedisCallShape { RedisCallShape(isWrite: true, resend: .never, requests: count, isBatch: true) }

    // MARK: RedisCallOwner

    /// The window's pre-rendered command with every claim, in order (`EVAL` with the source
    /// after NOSCRIPT).
    func writeCommand(tag: Int, sendSource: Bool, to out: inout [UInt8]) {
        guard !sendSource else { return RESPEncoder.append(ClaimScript.command(claims, sendSource: true), to: &out) }
        command.appendHead(claims: entries.count, to: &out)
        for e in entries { command.appendClaim(e.claim, to: &out) }
    }

    /// Read in place: a fresh grant (the claim path's common answer) is answered from its
    /// number; an unreadable reply (an error) is unreadable for every claim alike.
    func replied(tag: Int, _ reply: RedisReplyView) {
        for i in entries.indices { answer(i, ClaimScript.item(i, of: reply, for: entries[i].claim, claims: count)) }
    }

    /// The same from an owned copy (a reply held for WAIT).
    func replied(tag: Int, owned reply: RedisReply) {
        for i in entries.indices { answer(i, ClaimScript.item(i, of: reply, for: entries[i].claim, claims: count)) }
    }

    private func answer(_ i: Int, _ item: ClaimReplyItem) {
        switch item {
        case .freshGrant(let left, let number): answers.grant(entries[i], of: self, left: left, number: number)
        case .outcome(let outcome): answers.complete(entries[i], of: self, outcome)
        case .unreadable(let why): answers.unreadable(entries[i], of: self, why)
        }
    }

    func failed(tag: Int, _ failure: RedisRoutePolicy.Failure) {
        for e in entries { answers.fail(e, of: self, failure) }
    }
}
