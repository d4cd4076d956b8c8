import ClaimCore
import ClaimRedis

/// The claims for one pool segment's window that a loop gathered before sending them (in one
/// iteration, or while its previous batch was at Redis), sent as one `claim.lua` call: Redis
/// answers a batch for about half the cost per claim of one call each (loadtest/RESULTS.md).
/// The script answers each claim as if it had run alone, in this order, so a batch changes
/// nothing a resident sees. Each claim keeps its own connection and place in that connection's
/// order; the reply's items go back to them in the order they were added.
final class ClaimBatch {
    /// A claim and where its answer goes.
    struct Entry {
        let connection: UInt64
        let seq: UInt64
        let keepAlive: Bool
        let claim: ClaimRequest
    }

    /// Claims per call, at most. Bounds the script's run (each claim is a few microseconds of
    /// Redis time, during which Redis serves no one else) and its argument count: 7 + 64 x 5
    /// ARGV, and at most 64 x 10 faces x 2 values in its largest HSET, well under the 8,000
    /// that Redis's Lua can unpack.
    static let maxClaims = 64

    let command: ClaimCommand
    let poolIndex: Int
    private(set) var entries: [Entry] = []

    init(command: ClaimCommand, poolIndex: Int) {
        self.command = command
        self.poolIndex = poolIndex
        entries.reserveCapacity(Self.maxClaims)
    }

    var count: Int { entries.count }
    var isFull: Bool { entries.count >= Self.maxClaims }
    var claims: [ClaimRequest] { entries.map(\.claim) }

    func add(_ entry: Entry) { entries.append(entry) }

    /// The command for every claim, in order, written into a pipeline's buffer.
    func append(to out: inout [UInt8]) {
        command.appendHead(claims: entries.count, to: &out)
        for e in entries { command.appendClaim(e.claim, to: &out) }
    }

    /// The one-claim call that entry `i` is answered as (its item of the reply completes it).
    func call(_ i: Int, sentAt: UInt64) -> PendingCall {
        let e = entries[i]
        return PendingCall(
            connection: e.connection, seq: e.seq, keepAlive: e.keepAlive, work: .claim(e.claim, poolIndex: poolIndex),
            sentAt: sentAt)
    }
}
